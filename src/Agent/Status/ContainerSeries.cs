namespace Agent.Status;

/// <summary>
/// A target's cgroup over the window, column by column (index i of every array is one of
/// <see cref="Time"/>): the working set against the limit (null: unlimited), the throttled share
/// of CFS periods and the share of time tasks waited for CPU and for memory (PSI "some"). A null
/// is a value not readable at that tick.
/// </summary>
internal sealed record ContainerSeries(
    long[] Time,
    long?[] WorkingSetBytes,
    long?[] LimitBytes,
    double?[] ThrottledRatio,
    double?[] CpuPressure,
    double?[] MemoryPressure);

/// <summary>
/// A target's cgroup now: where it is, memory against the limit, the CPU limit and throttling,
/// and its OOM kills. Null members were not readable (or are unlimited).
/// </summary>
internal sealed record ContainerStatus(
    string Cgroup,
    int Version,
    string Route,
    long? WorkingSetBytes,
    long? UsageBytes,
    long? LimitBytes,
    double? LimitRatio,
    double? CpuLimitCores,
    double? ThrottledRatio,
    long? OomKills,
    long OomKilledRestarts,
    EventEntry? LastOomKill,
    ContainerSeries History);
