namespace Agent.Procfs;

/// <summary>
/// The memory state of a process's cgroup at one instant (the diagnostics snapshot's
/// <c>cgroup</c>). <see cref="OomKills"/> counts processes the kernel's OOM killer killed inside
/// the cgroup (v2 <c>memory.events</c> <c>oom_kill</c>, v1 <c>memory.oom_control</c>
/// <c>oom_kill</c>, Linux 4.13+): a pre-fork server's killed worker shows up here even though its
/// master survives. A class, not a record: it is only written out as JSON.
/// </summary>
/// <param name="version">1 (v1 memory controller) or 2 (unified hierarchy).</param>
/// <param name="directory">The cgroup directory read.</param>
/// <param name="currentBytes">v2 <c>memory.current</c>, v1 <c>memory.usage_in_bytes</c>.</param>
/// <param name="limitBytes">v2 <c>memory.max</c>, v1 <c>memory.limit_in_bytes</c>; null when unlimited or unreadable.</param>
/// <param name="unlimited">True when the limit is <c>max</c> (v2) or the v1 "no limit" value.</param>
/// <param name="oomKills">Processes of the cgroup the OOM killer killed.</param>
/// <param name="oomEvents">v2 <c>oom</c> (allocations that hit the limit and invoked the OOM killer); v1 has no equivalent.</param>
/// <param name="workingSetBytes">Usage minus inactive file pages (the kubelet's eviction measure).</param>
/// <param name="highBytes">v2 <c>memory.high</c> (throttling threshold); null when <c>max</c> or on v1.</param>
/// <param name="anonBytes">Anonymous memory (<c>memory.stat</c>).</param>
/// <param name="fileBytes">Page cache including tmpfs (<c>memory.stat</c>).</param>
/// <param name="route">How the directory was reached: <c>agent_mount</c> or <c>target_root</c>.</param>
internal sealed class CgroupMemory(
    int version,
    string directory,
    long? currentBytes,
    long? limitBytes,
    bool unlimited,
    long? oomKills,
    long? oomEvents,
    long? workingSetBytes,
    long? highBytes,
    long? anonBytes,
    long? fileBytes,
    string route)
{
    public int Version { get; } = version;

    public string Directory { get; } = directory;

    public long? CurrentBytes { get; } = currentBytes;

    public long? LimitBytes { get; } = limitBytes;

    public bool Unlimited { get; } = unlimited;

    public long? OomKills { get; } = oomKills;

    public long? OomEvents { get; } = oomEvents;

    public long? WorkingSetBytes { get; } = workingSetBytes;

    public long? HighBytes { get; } = highBytes;

    public long? AnonBytes { get; } = anonBytes;

    public long? FileBytes { get; } = fileBytes;

    public string Route { get; } = route;
}
