namespace Agent.Procfs;

/// <summary>The cgroup interface files the agent reads every tick, as flags (a set fits in one int).</summary>
[Flags]
internal enum CgroupFile
{
    None = 0,
    MemoryUsage = 1 << 0,
    MemoryLimit = 1 << 1,
    MemoryHigh = 1 << 2,
    MemoryStat = 1 << 3,
    MemoryEvents = 1 << 4,
    CpuMax = 1 << 5,
    CpuStat = 1 << 6,
    CpuUsage = 1 << 7,
    CpuPressure = 1 << 8,
    MemoryPressure = 1 << 9,
    IoPressure = 1 << 10,
    PidsCurrent = 1 << 11,
    PidsMax = 1 << 12,
}

/// <summary>Kernel names of <see cref="CgroupFile"/>s per hierarchy version.</summary>
internal static class CgroupFileNames
{
    /// <summary>Every file, in flag order (index = bit number).</summary>
    public static readonly CgroupFile[] All =
    [
        CgroupFile.MemoryUsage, CgroupFile.MemoryLimit, CgroupFile.MemoryHigh, CgroupFile.MemoryStat, CgroupFile.MemoryEvents,
        CgroupFile.CpuMax, CgroupFile.CpuStat, CgroupFile.CpuUsage, CgroupFile.CpuPressure, CgroupFile.MemoryPressure,
        CgroupFile.IoPressure, CgroupFile.PidsCurrent, CgroupFile.PidsMax,
    ];

    /// <summary>The file's name in a v1 or v2 directory; v1's CPU limit is two files, named by the first.</summary>
    public static string Of(CgroupFile file, int version) => (file, version) switch
    {
        (CgroupFile.MemoryUsage, 1) => "memory.usage_in_bytes",
        (CgroupFile.MemoryUsage, _) => "memory.current",
        (CgroupFile.MemoryLimit, 1) => "memory.limit_in_bytes",
        (CgroupFile.MemoryLimit, _) => "memory.max",
        (CgroupFile.MemoryHigh, _) => "memory.high",
        (CgroupFile.MemoryStat, _) => "memory.stat",
        (CgroupFile.MemoryEvents, 1) => "memory.oom_control",
        (CgroupFile.MemoryEvents, _) => "memory.events",
        (CgroupFile.CpuMax, 1) => "cpu.cfs_quota_us",
        (CgroupFile.CpuMax, _) => "cpu.max",
        (CgroupFile.CpuStat, _) => "cpu.stat",
        (CgroupFile.CpuUsage, 1) => "cpuacct.usage",
        (CgroupFile.CpuUsage, _) => "cpu.stat",
        (CgroupFile.CpuPressure, _) => "cpu.pressure",
        (CgroupFile.MemoryPressure, _) => "memory.pressure",
        (CgroupFile.IoPressure, _) => "io.pressure",
        (CgroupFile.PidsCurrent, _) => "pids.current",
        (CgroupFile.PidsMax, _) => "pids.max",
        _ => file.ToString(),
    };

    /// <summary>What is lost without the file: the exported families, for the one warning and <c>agent check</c>.</summary>
    public static string Affects(CgroupFile file) => file switch
    {
        CgroupFile.MemoryUsage => "target_container_memory_usage_bytes, _working_set_bytes and the share of the limit",
        CgroupFile.MemoryLimit => "target_container_memory_limit_bytes and the share of the limit",
        CgroupFile.MemoryHigh => "target_container_memory_high_bytes",
        CgroupFile.MemoryStat => "target_container_memory_working_set_bytes, _rss_bytes, _cache_bytes",
        CgroupFile.MemoryEvents => "target_container_memory_events_total and OOM-kill attribution",
        CgroupFile.CpuMax => "target_container_cpu_limit_cores",
        CgroupFile.CpuStat => "target_container_cpu_cfs_*",
        CgroupFile.CpuUsage => "target_container_cpu_usage_seconds_total",
        CgroupFile.CpuPressure => "target_container_pressure_cpu_*",
        CgroupFile.MemoryPressure => "target_container_pressure_memory_*",
        CgroupFile.IoPressure => "target_container_pressure_io_*",
        CgroupFile.PidsCurrent => "target_container_pids",
        CgroupFile.PidsMax => "target_container_pids_limit",
        _ => file.ToString(),
    };
}
