namespace Agent.Procfs;

/// <summary>
/// A cgroup's values at one instant, read from the files <see cref="CgroupPaths"/> located.
/// Every member is null when its file is missing or unreadable (never 0); <see cref="Missing"/>
/// names those files. Counters are since the cgroup was created. A plain struct, not a record:
/// nothing compares two of them, and a record's generated members are native code every pod pays.
/// </summary>
internal readonly struct CgroupValues(
    long? memoryUsage,
    long? memoryLimit,
    bool memoryUnlimited,
    long? memoryHigh,
    CgroupMemoryStat memoryStat,
    CgroupMemoryEvents memoryEvents,
    long? cpuUsageMicros,
    CgroupCpuMax cpuMax,
    CgroupCpuStat cpuStat,
    CgroupPressure cpuPressure,
    CgroupPressure memoryPressure,
    CgroupPressure ioPressure,
    long? pids,
    long? pidsLimit,
    CgroupFile missing)
{
    public long? MemoryUsage { get; } = memoryUsage;

    public long? MemoryLimit { get; } = memoryLimit;

    public bool MemoryUnlimited { get; } = memoryUnlimited;

    public long? MemoryHigh { get; } = memoryHigh;

    public CgroupMemoryStat MemoryStat { get; } = memoryStat;

    public CgroupMemoryEvents MemoryEvents { get; } = memoryEvents;

    public long? CpuUsageMicros { get; } = cpuUsageMicros;

    public CgroupCpuMax CpuMax { get; } = cpuMax;

    public CgroupCpuStat CpuStat { get; } = cpuStat;

    public CgroupPressure CpuPressure { get; } = cpuPressure;

    public CgroupPressure MemoryPressure { get; } = memoryPressure;

    public CgroupPressure IoPressure { get; } = ioPressure;

    public long? Pids { get; } = pids;

    public long? PidsLimit { get; } = pidsLimit;

    public CgroupFile Missing { get; } = missing;

    /// <summary>The kubelet's working set: usage minus inactive file.</summary>
    public long? WorkingSet => MemoryStat.WorkingSet(MemoryUsage);

    /// <summary>Working set ÷ limit; null when unlimited or unknown.</summary>
    public double? WorkingSetRatio => WorkingSet is { } w && MemoryLimit is { } l && l > 0 ? (double)w / l : null;
}
