namespace Agent.Procfs;

/// <summary>
/// A cgroup's values at one instant, read from the files <see cref="CgroupPaths"/> located.
/// Every member is null when its file is missing or unreadable (never 0); <see cref="Missing"/>
/// names those files. Counters are since the cgroup was created.
/// </summary>
internal readonly record struct CgroupValues(
    long? MemoryUsage,
    long? MemoryLimit,
    bool MemoryUnlimited,
    long? MemoryHigh,
    CgroupMemoryStat MemoryStat,
    CgroupMemoryEvents MemoryEvents,
    long? CpuUsageMicros,
    CgroupCpuMax CpuMax,
    CgroupCpuStat CpuStat,
    CgroupPressure CpuPressure,
    CgroupPressure MemoryPressure,
    CgroupPressure IoPressure,
    long? Pids,
    long? PidsLimit,
    CgroupFile Missing)
{
    /// <summary>The kubelet's working set: usage minus inactive file.</summary>
    public long? WorkingSet => MemoryStat.WorkingSet(MemoryUsage);

    /// <summary>Working set ÷ limit; null when unlimited or unknown.</summary>
    public double? WorkingSetRatio => WorkingSet is { } w && MemoryLimit is { } l && l > 0 ? (double)w / l : null;
}
