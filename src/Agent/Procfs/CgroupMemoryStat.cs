namespace Agent.Procfs;

/// <summary>
/// <c>memory.stat</c>, flat-keyed bytes (Documentation/admin-guide/cgroup-v2.rst "memory.stat";
/// cgroup-v1/memory.rst "5.2 stat file"). v2 prints the cgroup's own subtree under <c>anon</c>,
/// <c>file</c>, <c>inactive_file</c>; v1 prints the cgroup alone under <c>rss</c>, <c>cache</c>,
/// <c>inactive_file</c> and its hierarchy under <c>total_*</c>, which is what v1's
/// <c>memory.usage_in_bytes</c> counts, so v1 values come from the <c>total_*</c> keys.
/// </summary>
/// <param name="Anon">Anonymous memory (heap, stacks, tmpfs is not here): v2 <c>anon</c>, v1 <c>total_rss</c>. cAdvisor's <c>container_memory_rss</c>.</param>
/// <param name="File">Page cache incl. tmpfs: v2 <c>file</c>, v1 <c>total_cache</c>. cAdvisor's <c>container_memory_cache</c>.</param>
/// <param name="InactiveFile">Page cache the kernel would reclaim first: v2 <c>inactive_file</c>, v1 <c>total_inactive_file</c>. The kubelet subtracts it from usage to get the working set.</param>
internal readonly record struct CgroupMemoryStat(long? Anon, long? File, long? InactiveFile)
{
    public static CgroupMemoryStat Parse(ReadOnlySpan<byte> text, int version)
    {
        var v1 = version == 1;
        ReadOnlySpan<byte> anonKey = v1 ? "total_rss"u8 : "anon"u8;
        ReadOnlySpan<byte> fileKey = v1 ? "total_cache"u8 : "file"u8;
        ReadOnlySpan<byte> inactiveKey = v1 ? "total_inactive_file"u8 : "inactive_file"u8;
        long? anon = null, file = null, inactive = null;
        while (CgroupFiles.NextEntry(ref text, out var key, out var rest))
        {
            if (key.SequenceEqual(anonKey))
            {
                anon = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual(fileKey))
            {
                file = CgroupFiles.ParseValue(rest);
            }
            else if (key.SequenceEqual(inactiveKey))
            {
                inactive = CgroupFiles.ParseValue(rest);
            }
        }

        return new CgroupMemoryStat(anon, file, inactive);
    }

    /// <summary>
    /// The kubelet's working set (what eviction and <c>container_memory_working_set_bytes</c> use):
    /// usage minus inactive file pages, never below 0; null when either is unknown.
    /// </summary>
    public long? WorkingSet(long? usage) =>
        usage is { } u && InactiveFile is { } inactive ? Math.Max(0, u - inactive) : null;
}
