using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Agent.Endpoints;

/// <summary>
/// Kestrel limits, set deliberately for a sidecar whose clients are a kubelet and a few
/// Prometheus servers: small requests, no bodies, few connections. A hostile client gets a 4xx
/// or a closed connection and bounded memory, never a crash.
/// </summary>
internal static class HttpLimits
{
    public const int MaxConnections = 512;

    public static void Apply(KestrelServerOptions options)
    {
        options.AddServerHeader = false;
        var l = options.Limits;
        l.MaxConcurrentConnections = MaxConnections;      // idle-connection floods are capped
        l.MaxConcurrentUpgradedConnections = 0;            // no WebSockets
        l.MaxRequestBodySize = 4 * 1024;                   // no endpoint takes a body
        l.MaxRequestHeadersTotalSize = 16 * 1024;          // huge headers: 431
        l.MaxRequestHeaderCount = 64;
        l.MaxRequestLineSize = 4 * 1024;                   // huge URLs: 414
        l.RequestHeadersTimeout = TimeSpan.FromSeconds(5); // slowloris: 408 and close
        // Also how long a connection that never sends a request may stay: 20 s keeps an idle
        // flood from holding the connection slots past the kubelet's liveness tolerance (3 × 10 s),
        // and Prometheus simply reconnects after its 15 s interval.
        l.KeepAliveTimeout = TimeSpan.FromSeconds(20);
        l.Http2.MaxStreamsPerConnection = 16;
    }
}
