using Agent.Common;

namespace Agent.Status;

// The one model of the page, the summary and /api/status: every record /api/status writes.

/// <summary>
/// Everything the status page shows, as <c>/api/status</c> serves it: the agent, each target with
/// its last 15 minutes, each probe with its results, and the event timeline (newest first).
/// </summary>
internal sealed record StatusResponse(
    string Version,
    DateTimeOffset Now,
    double IntervalSeconds,
    HealthState Ready,
    IReadOnlyList<TargetStatus> Targets,
    IReadOnlyList<ProbeStatus> Probes,
    IReadOnlyList<EventEntry> Events);

/// <summary>One target: who it is now, and its series. Process fields are null while it is down.</summary>
internal sealed record TargetStatus(
    string Name,
    string Selector,
    bool Up,
    int? Pid,
    string? Process,
    int? Processes,
    DateTimeOffset? StartedAt,
    double? UptimeSeconds,
    long Restarts,
    string? Problem,
    TargetSeries History)
{
    /// <summary>The target's cgroup (memory against its limit, throttling, pressure); null when none was read.</summary>
    public ContainerStatus? Container { get; init; }

    /// <summary>Flame graphs of its CPU profile (the last window, the last 15 minutes); null when none is kept.</summary>
    public IReadOnlyList<FlameSection>? Profiles { get; init; }
}

/// <summary>One flame graph of a target: what it covers, its CPU seconds and its call tree (see <see cref="Profiling.FlameGraph"/>).</summary>
internal sealed record FlameSection(string Key, string Title, double Seconds, double CpuSeconds, Profiling.FlameNode Root);

/// <summary>
/// One probe: its latest result and how long it has been in that state. <c>State</c> is
/// <c>ok</c>, <c>failing</c>, <c>stale</c> (no fresh result: counted as failing) or
/// <c>pending</c> (no result yet). The description is scrubbed of secrets at the source.
/// </summary>
internal sealed record ProbeStatus(
    string Name,
    string Kind,
    bool Critical,
    string State,
    string? Reason,
    string? Description,
    double? AgeSeconds,
    double? LatencyMs,
    long Streak,
    DateTimeOffset? Since,
    ProbeSeries History);

/// <summary>A probe's results, column by column: Unix-millisecond time, latency, and the failure reason (null when healthy).</summary>
internal sealed record ProbeSeries(long[] Time, double[] LatencyMs, string?[] Reason);

/// <summary>One timeline entry: <c>Kind</c> is found, lost, restarted, failed, recovered or changed.</summary>
internal sealed record EventEntry(DateTimeOffset At, string Kind, string Subject, string Detail, bool Bad);
