using Agent.Traffic;

namespace Agent.Runtimes;

/// <summary>
/// The instruments of the .NET runtime's built-in meters (.NET 8+) the agent reads for the target's
/// traffic, each with the family it feeds and the tags it keeps (the semantic conventions'
/// attributes, bounded by design: a route template, never the raw path). Tags not kept
/// (<c>url.scheme</c>, <c>network.protocol.version</c>, <c>server.port</c>, …) are folded: counts
/// and sums add up, the largest quantile stays. Asked for instrument by instrument
/// (<c>meter\instrument</c>) so that histograms nobody exports (<c>kestrel.connection.duration</c>,
/// <c>http.client.request.time_in_queue</c>) do not use up the session's <c>MaxHistograms</c>.
/// </summary>
internal static class TrafficInstruments
{
    public const string Hosting = "Microsoft.AspNetCore.Hosting";
    public const string Kestrel = "Microsoft.AspNetCore.Server.Kestrel";
    public const string Http = "System.Net.Http";
    public const string NameResolution = "System.Net.NameResolution";

    public static readonly IReadOnlyList<TrafficInstrument> All =
    [
        new(Hosting, "http.server.request.duration", TrafficFamily.ServerDuration, ["http.route", "http.request.method", "http.response.status_code", "error.type"]),
        new(Hosting, "http.server.active_requests", TrafficFamily.ServerActiveRequests, []),
        new(Kestrel, "kestrel.active_connections", TrafficFamily.KestrelActiveConnections, []),
        new(Kestrel, "kestrel.queued_connections", TrafficFamily.KestrelQueuedConnections, []),
        new(Kestrel, "kestrel.rejected_connections", TrafficFamily.KestrelRejectedConnections, []),
        new(Kestrel, "kestrel.active_tls_handshakes", TrafficFamily.KestrelActiveTlsHandshakes, []),
        new(Http, "http.client.request.duration", TrafficFamily.ClientDuration, ["server.address", "http.request.method", "http.response.status_code", "error.type"]),
        new(Http, "http.client.active_requests", TrafficFamily.ClientActiveRequests, []),
        new(Http, "http.client.open_connections", TrafficFamily.ClientOpenConnections, ["http.connection.state"]),
        new(NameResolution, "dns.lookup.duration", TrafficFamily.DnsLookupDuration, ["dns.question.name", "error.type"]),
    ];

    /// <summary>The session's <c>Metrics</c> argument for these instruments (semicolon-separated <c>meter\instrument</c>).</summary>
    public static string Spec { get; } = string.Join(';', All.Select(i => i.Meter + "\\" + i.Name));

    public static TrafficInstrument? Find(ReadOnlySpan<char> meter, ReadOnlySpan<char> instrument)
    {
        foreach (var i in All)
        {
            if (instrument.SequenceEqual(i.Name) && meter.SequenceEqual(i.Meter))
            {
                return i;
            }
        }

        return null;
    }
}

/// <summary>One runtime instrument the agent reads, the family it feeds and the tags it keeps (as Prometheus label names).</summary>
internal sealed record TrafficInstrument(string Meter, string Name, TrafficFamily Family, string[] Tags)
{
    /// <summary><c>http.route</c> → <c>http_route</c>: the label each kept tag becomes.</summary>
    public string[] Labels { get; } = [.. Tags.Select(t => t.Replace('.', '_'))];
}
