namespace Agent.Traffic;

/// <summary>
/// One series of a traffic family. Summaries carry <see cref="Count"/> and <see cref="Sum"/> (totals
/// since the agent began to count, monotonic) and the quantiles of the last interval (NaN when it
/// had no observation); counters and gauges carry <see cref="Value"/>.
/// </summary>
/// <param name="Labels">Sorted by name; an overflow series has only <see cref="TrafficFamilies.OverflowLabel"/>.</param>
internal sealed record TrafficSeries(TrafficFamily Family, KeyValuePair<string, string>[] Labels, double Count, double Sum, double P50, double P95, double P99, double Value)
{
    public bool IsOverflow => Labels is [{ Key: TrafficFamilies.OverflowLabel }];
}

/// <summary>
/// The server side of the last interval, for the status page and triggers: requests per second,
/// the share of them answered 5xx, and the slowest series' 95th and 99th percentiles (a route's
/// quantiles cannot be merged exactly with another's: the largest is an upper bound of the whole).
/// NaN where the interval had no request.
/// </summary>
internal readonly record struct TrafficInterval(double Seconds, double RequestsPerSecond, double ErrorShare, double P95, double P99)
{
    public static TrafficInterval None { get; } = new(0, double.NaN, double.NaN, double.NaN, double.NaN);
}

/// <summary>
/// A target's traffic as last published (immutable; readers take no lock). .NET snapshots belong to
/// one process (<see cref="Pid"/>) and count from when the agent's session began; StatsD snapshots
/// belong to the target and count from when the agent received its first packet.
/// </summary>
/// <param name="At">When the interval this describes ended.</param>
/// <param name="Requests">Server requests counted so far (every series, the overflow included).</param>
/// <param name="ServerErrors">Of those, answered with a 5xx status.</param>
/// <param name="Refused">Measurements the series cap sent to an overflow series so far.</param>
internal sealed record TrafficSnapshot(
    TrafficSource Source,
    int? Pid,
    DateTimeOffset At,
    IReadOnlyList<TrafficSeries> Series,
    TrafficInterval Last,
    double Requests,
    double ServerErrors,
    long Refused)
{
    /// <summary>True once the target served HTTP (a request, or the server's active-requests gauge).</summary>
    public bool ServesHttp => Series.Any(s => s.Family is TrafficFamily.ServerDuration or TrafficFamily.ServerRequests or TrafficFamily.ServerActiveRequests);

    /// <summary>What the source said beyond the numbers.</summary>
    public TrafficNotes Notes { get; init; } = TrafficNotes.None;

    /// <summary>
    /// Whether this describes the target now: its process is present and, for a .NET session, it is
    /// that process's and its last interval ended within <paramref name="staleAfter"/> (a refused or
    /// ended session publishes nothing). StatsD counts belong to the target across its restarts and
    /// stay while it runs: gunicorn sends nothing while no request arrives.
    /// </summary>
    public bool IsCurrentFor(Sampling.TargetSnapshot target, DateTimeOffset now, TimeSpan staleAfter) =>
        target.Sample is { } sample && (Source == TrafficSource.Statsd || (Pid == sample.Identity.Pid && now - At <= staleAfter));
}

/// <summary>
/// What a source said beyond the numbers: the meters whose instruments the runtime reported (an app
/// without <c>Microsoft.AspNetCore.Hosting</c> serves no HTTP), a limit of the runtime's session that was
/// reached (what it drops is not counted anywhere), and for StatsD the datagrams attributed to the target.
/// </summary>
internal sealed record TrafficNotes(IReadOnlyList<string> Meters, string? Limit, long Packets, DateTimeOffset? LastPacket)
{
    public static TrafficNotes None { get; } = new([], null, 0, null);
}
