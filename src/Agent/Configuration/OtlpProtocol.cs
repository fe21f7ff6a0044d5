namespace Agent.Configuration;

/// <summary><c>Otlp:Protocol</c>: how metrics are pushed.</summary>
internal enum OtlpProtocol
{
    /// <summary><c>http/protobuf</c> (the default, port 4318).</summary>
    HttpProtobuf,

    /// <summary><c>grpc</c> (port 4317).</summary>
    Grpc,
}
