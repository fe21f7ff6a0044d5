namespace Agent.Traffic;

/// <summary>
/// The families of the target's own traffic, whatever reports them (the .NET runtime's meters,
/// gunicorn's StatsD output). <c>Telemetry/TrafficMetrics</c> holds their exported names; label
/// names are the semantic-convention attributes with dots as underscores (<c>http_route</c>).
/// </summary>
internal enum TrafficFamily
{
    /// <summary>Summary: <c>http.server.request.duration</c>, gunicorn's <c>request.duration</c>.</summary>
    ServerDuration,

    /// <summary>Counter by status code: the server durations' counts, gunicorn's <c>request.status.&lt;code&gt;</c>.</summary>
    ServerRequests,

    /// <summary>Gauge: <c>http.server.active_requests</c>.</summary>
    ServerActiveRequests,

    /// <summary>Summary: <c>http.client.request.duration</c>.</summary>
    ClientDuration,

    /// <summary>Gauge: <c>http.client.active_requests</c>.</summary>
    ClientActiveRequests,

    /// <summary>Gauge by connection state: <c>http.client.open_connections</c>.</summary>
    ClientOpenConnections,

    /// <summary>Summary: <c>dns.lookup.duration</c>.</summary>
    DnsLookupDuration,

    /// <summary>Gauge: <c>kestrel.active_connections</c>.</summary>
    KestrelActiveConnections,

    /// <summary>Gauge: <c>kestrel.queued_connections</c>.</summary>
    KestrelQueuedConnections,

    /// <summary>Counter: <c>kestrel.rejected_connections</c> (counted from when the agent attached).</summary>
    KestrelRejectedConnections,

    /// <summary>Gauge: <c>kestrel.active_tls_handshakes</c>.</summary>
    KestrelActiveTlsHandshakes,

    /// <summary>Gauge: gunicorn's <c>workers</c>.</summary>
    GunicornWorkers,

    /// <summary>Counter by level: gunicorn's <c>log.&lt;level&gt;</c>.</summary>
    GunicornLogMessages,
}

/// <summary>How a family's series are kept and exported.</summary>
internal enum TrafficKind
{
    /// <summary>Count and sum since the agent began to count (monotonic), and quantiles of the last interval.</summary>
    Summary,

    /// <summary>A monotonic total.</summary>
    Counter,

    /// <summary>The current value.</summary>
    Gauge,
}

/// <summary>Where a target's traffic comes from.</summary>
internal enum TrafficSource
{
    /// <summary>The .NET runtime's metrics session (EventPipe).</summary>
    Dotnet,

    /// <summary>StatsD datagrams (gunicorn's <c>--statsd-host</c>).</summary>
    Statsd,
}

internal static class TrafficFamilies
{
    public static readonly TrafficFamily[] All = Enum.GetValues<TrafficFamily>();

    public static TrafficKind KindOf(TrafficFamily family) => family switch
    {
        TrafficFamily.ServerDuration or TrafficFamily.ClientDuration or TrafficFamily.DnsLookupDuration => TrafficKind.Summary,
        TrafficFamily.ServerRequests or TrafficFamily.KestrelRejectedConnections or TrafficFamily.GunicornLogMessages => TrafficKind.Counter,
        _ => TrafficKind.Gauge,
    };

    /// <summary>The label of a series that stands for every label set refused by the series cap (OpenTelemetry's own overflow attribute).</summary>
    public const string OverflowLabel = "otel_metric_overflow";

    /// <summary>The status-code label (<c>http.response.status_code</c>).</summary>
    public const string StatusLabel = "http_response_status_code";
}
