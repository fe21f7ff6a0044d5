using Agent.Procfs;

namespace Agent.Containers;

/// <summary>
/// A target's cgroup at one tick: where it is and what its files said. The counters the agent
/// keeps itself (<see cref="OomKills"/>, the memory events) are monotonic across the target's
/// restarts and cgroups; everything in <see cref="Values"/> is the kernel's own number now.
/// </summary>
/// <param name="cgroup">The cgroup's path (memory controller's, else unified).</param>
/// <param name="version">1 or 2: the hierarchy of the memory controller.</param>
/// <param name="route">How the agent reaches it.</param>
/// <param name="values">This tick's reads; null members were missing.</param>
/// <param name="oomKills">Processes of the target's cgroups killed by the OOM killer, since the agent started following it (first cgroup: since the cgroup was created).</param>
/// <param name="oomEvents">v2 <c>oom</c>: the limit was hit and reclaim failed.</param>
/// <param name="highEvents">v2 <c>high</c>: usage went over <c>memory.high</c>.</param>
/// <param name="maxEvents">v2 <c>max</c>: usage hit <c>memory.max</c>.</param>
/// <param name="throttledRatio">Throttled ÷ elapsed CFS periods since the previous read (0–1); null without a CPU limit or on the first read.</param>
internal sealed class ContainerSample(
    string cgroup,
    int version,
    CgroupRoute route,
    CgroupValues values,
    long? oomKills,
    long? oomEvents,
    long? highEvents,
    long? maxEvents,
    double? throttledRatio)
{
    public string Cgroup { get; } = cgroup;

    public int Version { get; } = version;

    public CgroupRoute Route { get; } = route;

    public CgroupValues Values { get; } = values;

    public long? OomKills { get; } = oomKills;

    public long? OomEvents { get; } = oomEvents;

    public long? HighEvents { get; } = highEvents;

    public long? MaxEvents { get; } = maxEvents;

    public double? ThrottledRatio { get; } = throttledRatio;
}

/// <summary>
/// One OOM kill the agent attributed: the target's own process, or another process of its cgroup
/// while the target survived (a pre-fork server's worker).
/// </summary>
/// <param name="sequence">Increases with every attribution, so an observer tells a new one from the last.</param>
/// <param name="at">When the agent saw it: the kernel's signal, else the tick.</param>
/// <param name="targetKilled">True when the target's process itself ended with the kill.</param>
/// <param name="pid">The target's process: the one killed, or the survivor.</param>
/// <param name="kills">Kills counted in this attribution (usually 1).</param>
/// <param name="limitBytes">The memory limit then; null when unlimited.</param>
/// <param name="usageBytes">The last usage seen before or at the kill.</param>
internal sealed class OomKill(long sequence, DateTimeOffset at, bool targetKilled, int pid, string processName, long kills, long? limitBytes, long? usageBytes, string cgroup)
{
    public long Sequence { get; } = sequence;

    public DateTimeOffset At { get; } = at;

    public bool TargetKilled { get; } = targetKilled;

    public int Pid { get; } = pid;

    public string ProcessName { get; } = processName;

    public long Kills { get; } = kills;

    public long? LimitBytes { get; } = limitBytes;

    public long? UsageBytes { get; } = usageBytes;

    public string Cgroup { get; } = cgroup;

    /// <summary>For the event timeline and the page: who, and the memory against the limit.</summary>
    public string Describe()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var memory = string.Create(c, $"limit {(LimitBytes is { } l ? Mib(l) : "none")}, last usage seen {(UsageBytes is { } u ? Mib(u) : "unknown")}");
        return TargetKilled
            ? string.Create(c, $"pid {Pid} ({ProcessName}) was OOM-killed: its cgroup {Cgroup} reached the memory limit ({memory})")
            : string.Create(c, $"{Kills} process{(Kills == 1 ? string.Empty : "es")} of its cgroup {Cgroup} OOM-killed ({memory}); pid {Pid} ({ProcessName}) survives");
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MiB";
}

/// <summary>What the agent knows of a target's OOM kills, kept while the target is absent too.</summary>
/// <param name="kills">OOM kills in the target's cgroups (null until a memory cgroup was read).</param>
/// <param name="killedRestarts">Restarts whose previous process was OOM-killed.</param>
/// <param name="last">The latest attribution.</param>
internal sealed class OomState(long? kills, long killedRestarts, OomKill? last)
{
    public static readonly OomState None = new(null, 0, null);

    public long? Kills { get; } = kills;

    public long KilledRestarts { get; } = killedRestarts;

    public OomKill? Last { get; } = last;
}
