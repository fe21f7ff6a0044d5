using Agent.Configuration;

namespace Agent.Probes;

internal static class ProbeFactory
{
    public static IProbe Create(ProbeDefinition d) => d.Kind switch
    {
        ProbeKind.Redis => new RedisProbe(d),
        ProbeKind.Postgres => new PostgresProbe(d),
        ProbeKind.Http => new HttpProbe(d),
        ProbeKind.Grpc => new GrpcProbe(d),
        _ => new TcpProbe(d),
    };
}
