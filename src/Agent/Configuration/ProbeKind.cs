namespace Agent.Configuration;

internal enum ProbeKind
{
    Redis,
    Postgres,
    Http,
    Tcp,
    Grpc,
}
