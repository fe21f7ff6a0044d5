namespace Agent.Procfs;

/// <summary>How the agent reaches a target's cgroup directory.</summary>
internal enum CgroupRoute
{
    /// <summary>Through the agent's own cgroup mount (systemd, a pod sharing the cgroup namespace, the host).</summary>
    AgentMount,

    /// <summary>Through the target's own view, <c>/proc/&lt;pid&gt;/root/sys/fs/cgroup</c> (a pod with a private cgroup namespace per container).</summary>
    TargetRoot,
}

/// <summary>The one spelling of a route in metrics, JSON and the page.</summary>
internal static class CgroupRouteNames
{
    /// <summary><c>agent_mount</c> or <c>target_root</c>.</summary>
    public static string Label(this CgroupRoute route) => route == CgroupRoute.TargetRoot ? "target_root" : "agent_mount";
}

/// <summary>One controller's directory: where it is, in which hierarchy, reached how.</summary>
internal sealed record CgroupDirectory(string Path, int Version, CgroupRoute Route);

/// <summary>
/// Where a process's cgroup files are, per controller (a hybrid machine puts memory and cpu on v1
/// and pressure on v2), with every file path built once: reading them each tick allocates nothing
/// but the file handles. Controllers that cannot be reached are null, with the reason in
/// <see cref="Problems"/>.
/// </summary>
internal sealed class CgroupPaths
{
    private readonly string?[] _files = new string?[CgroupFileNames.All.Length + 1];

    public CgroupPaths(string cgroupPath, CgroupDirectory? memory, CgroupDirectory? cpu, CgroupDirectory? cpuUsage, CgroupDirectory? pids, CgroupDirectory? pressure, IReadOnlyList<string> problems)
    {
        CgroupPath = cgroupPath;
        Memory = memory;
        Cpu = cpu;
        CpuUsage = cpuUsage;
        Pids = pids;
        Pressure = pressure;
        Problems = problems;
        foreach (var file in CgroupFileNames.All)
        {
            if (DirectoryOf(file) is { } dir)
            {
                _files[Index(file)] = System.IO.Path.Join(dir.Path, CgroupFileNames.Of(file, dir.Version));
            }
        }

        if (Cpu is { Version: 1 } v1)
        {
            CpuPeriodV1 = System.IO.Path.Join(v1.Path, "cpu.cfs_period_us");
        }
    }

    /// <summary>The cgroup as <c>/proc/&lt;pid&gt;/cgroup</c> names it: the memory controller's (v1) or the unified path.</summary>
    public string CgroupPath { get; }

    public CgroupDirectory? Memory { get; }

    /// <summary>CFS quota and throttling: v1 <c>cpu</c> or v2.</summary>
    public CgroupDirectory? Cpu { get; }

    /// <summary>CPU time: v1 <c>cpuacct</c> or v2 <c>cpu.stat</c>.</summary>
    public CgroupDirectory? CpuUsage { get; }

    public CgroupDirectory? Pids { get; }

    /// <summary>PSI files: v2 only.</summary>
    public CgroupDirectory? Pressure { get; }

    /// <summary>One line per controller that could not be reached: what, why and the fix.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The memory controller's hierarchy (1 or 2), else the first one found; 0 when none.</summary>
    public int Version => (Memory ?? Cpu ?? CpuUsage ?? Pids ?? Pressure)?.Version ?? 0;

    /// <summary>How the memory directory (else the first found) is reached.</summary>
    public CgroupRoute? Route => (Memory ?? Pressure ?? Cpu ?? CpuUsage ?? Pids)?.Route;

    /// <summary>v1 only: <c>cpu.cfs_period_us</c>, the second half of the CPU limit.</summary>
    public string? CpuPeriodV1 { get; }

    /// <summary>The full path of a file, or null when its controller was not found.</summary>
    public string? File(CgroupFile file) => _files[Index(file)];

    /// <summary>The directory a file lives in (null: not found, or a v2-only file on v1).</summary>
    public CgroupDirectory? DirectoryOf(CgroupFile file) => file switch
    {
        CgroupFile.MemoryHigh => Memory is { Version: 2 } ? Memory : null,
        CgroupFile.MemoryUsage or CgroupFile.MemoryLimit or CgroupFile.MemoryStat or CgroupFile.MemoryEvents => Memory,
        CgroupFile.CpuMax or CgroupFile.CpuStat => Cpu,
        CgroupFile.CpuUsage => CpuUsage,
        CgroupFile.CpuPressure or CgroupFile.MemoryPressure or CgroupFile.IoPressure => Pressure,
        CgroupFile.PidsCurrent or CgroupFile.PidsMax => Pids,
        _ => null,
    };

    private static int Index(CgroupFile file) => System.Numerics.BitOperations.TrailingZeroCount((int)file);
}
