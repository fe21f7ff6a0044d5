using Agent.Configuration;

namespace Agent.Probes;

/// <summary>
/// The one connection policy of the HTTP-based probes (http, grpc): connect within the probe's
/// Timeout, never follow redirects or use a proxy, one pooled connection per server kept across
/// two periods, and TLS validated by the probe's own trust (system store plus CaFile).
/// </summary>
internal static class ProbeHttpHandler
{
    public static SocketsHttpHandler Create(ProbeDefinition definition, TlsValidation tls)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = definition.Timeout,
            AllowAutoRedirect = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = definition.Period + definition.Period,
            MaxConnectionsPerServer = 1,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = tls.Validate;
        return handler;
    }
}
