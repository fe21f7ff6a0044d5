namespace Agent.Status;

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
}
