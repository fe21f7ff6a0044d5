namespace Agent.Procfs;

/// <summary>
/// The memory controller's event counters, each since the cgroup was created. v2
/// <c>memory.events</c> (flat-keyed: <c>low</c>, <c>high</c>, <c>max</c>, <c>oom</c>,
/// <c>oom_kill</c>, <c>oom_group_kill</c>; hierarchical unless mounted with
/// <c>memory_localevents</c>); v1 has only <c>oom_kill</c>, in <c>memory.oom_control</c> (Linux
/// 4.13+, beside <c>oom_kill_disable</c> and <c>under_oom</c>). The kernel notifies pollers of
/// <c>memory.events</c> on every change (cgroup_file_notify), which is how a kill between two
/// ticks is still seen.
/// </summary>
/// <param name="High">Times usage went over <c>memory.high</c> and was throttled into reclaim.</param>
/// <param name="Max">Times usage hit <c>memory.max</c> and allocation had to reclaim.</param>
/// <param name="Oom">Times the limit was hit and reclaim failed: the OOM killer was invoked.</param>
/// <param name="OomKill">Processes in the cgroup (or below) the OOM killer killed.</param>
internal readonly record struct CgroupMemoryEvents(long? High, long? Max, long? Oom, long? OomKill)
{
    /// <summary>v2 <c>memory.events</c>.</summary>
    public static CgroupMemoryEvents Parse(ReadOnlySpan<byte> text)
    {
        long? high = null, max = null, oom = null, oomKill = null;
        while (CgroupFiles.NextEntry(ref text, out var key, out var rest))
        {
            if (key.SequenceEqual("high"u8))
            {
                high = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual("max"u8))
            {
                max = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual("oom"u8))
            {
                oom = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual("oom_kill"u8))
            {
                oomKill = CgroupFiles.ParseValue(rest);
            }
        }

        return new CgroupMemoryEvents(high, max, oom, oomKill);
    }

    /// <summary>v1 <c>memory.oom_control</c>: only the kill count is an event counter there.</summary>
    public static CgroupMemoryEvents ParseOomControl(ReadOnlySpan<byte> text) =>
        new(null, null, null, CgroupFiles.FlatKeyed(text, "oom_kill"u8));
}
