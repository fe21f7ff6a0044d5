namespace Agent.Procfs;

/// <summary>
/// The memory state of a process's cgroup at one instant (the diagnostics snapshot's
/// <c>cgroup</c>). <see cref="OomKills"/> counts processes the kernel's OOM killer killed inside
/// the cgroup (v2 <c>memory.events</c> <c>oom_kill</c>, v1 <c>memory.oom_control</c>
/// <c>oom_kill</c>, Linux 4.13+): a pre-fork server's killed worker shows up here even though its
/// master survives.
/// </summary>
/// <param name="Version">1 (v1 memory controller) or 2 (unified hierarchy).</param>
/// <param name="Directory">The cgroup directory read.</param>
/// <param name="CurrentBytes">v2 <c>memory.current</c>, v1 <c>memory.usage_in_bytes</c>.</param>
/// <param name="LimitBytes">v2 <c>memory.max</c>, v1 <c>memory.limit_in_bytes</c>; null when unlimited or unreadable.</param>
/// <param name="Unlimited">True when the limit is <c>max</c> (v2) or the v1 "no limit" value.</param>
/// <param name="OomEvents">v2 <c>oom</c> (allocations that hit the limit and invoked the OOM killer); v1 has no equivalent.</param>
/// <param name="WorkingSetBytes">Usage minus inactive file pages (the kubelet's eviction measure).</param>
/// <param name="HighBytes">v2 <c>memory.high</c> (throttling threshold); null when <c>max</c> or on v1.</param>
/// <param name="AnonBytes">Anonymous memory (<c>memory.stat</c>).</param>
/// <param name="FileBytes">Page cache including tmpfs (<c>memory.stat</c>).</param>
/// <param name="Route">How the directory was reached: through the agent's mount or the target's root.</param>
internal sealed record CgroupMemory(
    int Version,
    string Directory,
    long? CurrentBytes,
    long? LimitBytes,
    bool Unlimited,
    long? OomKills,
    long? OomEvents,
    long? WorkingSetBytes,
    long? HighBytes,
    long? AnonBytes,
    long? FileBytes,
    CgroupRoute Route);
