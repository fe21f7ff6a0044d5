namespace Agent.Status;

/// <summary>
/// A target's cgroup over the window, column by column (index i of every array is one of
/// <see cref="Time"/>, one per cgroup read): the working set against the limit (null: unlimited),
/// the throttled share of CFS periods and the share of time tasks waited for CPU and for memory
/// (PSI "some"). A null is a value not readable at that read. Classes rather than records: they are
/// only written out as JSON and the page, and a record's generated members are native code.
/// </summary>
internal sealed class ContainerSeries
{
    public required long[] Time { get; init; }

    public required long?[] WorkingSetBytes { get; init; }

    public required long?[] LimitBytes { get; init; }

    public required double?[] ThrottledRatio { get; init; }

    public required double?[] CpuPressure { get; init; }

    public required double?[] MemoryPressure { get; init; }
}

/// <summary>
/// A target's cgroup now: where it is, memory against the limit, the CPU limit and throttling,
/// and its OOM kills. Null members were not readable (or are unlimited).
/// </summary>
internal sealed class ContainerStatus
{
    public required string Cgroup { get; init; }

    public required int Version { get; init; }

    /// <summary><c>agent_mount</c> or <c>target_root</c>.</summary>
    public required string Route { get; init; }

    public long? WorkingSetBytes { get; init; }

    public long? UsageBytes { get; init; }

    public long? LimitBytes { get; init; }

    public double? LimitRatio { get; init; }

    public double? CpuLimitCores { get; init; }

    public double? ThrottledRatio { get; init; }

    public long? OomKills { get; init; }

    public long OomKilledRestarts { get; init; }

    public EventEntry? LastOomKill { get; init; }

    public required ContainerSeries History { get; init; }
}
