namespace Agent.Procfs;

/// <summary>A cgroup filesystem as a reader sees it: which cgroup (<see cref="Root"/>) is mounted where.</summary>
internal sealed record CgroupMount(string Root, string MountPoint)
{
    /// <summary>
    /// The directory of <paramref name="cgroupPath"/> under this mount, or null when the cgroup
    /// lies outside the mounted subtree (another container's cgroup namespace, or a mount of a
    /// sub-cgroup): it cannot be reached through this mount at all. Both paths must be in the same
    /// reader's frame (<c>/proc/&lt;pid&gt;/cgroup</c> and <c>mountinfo</c> read by one process), so a
    /// mount rooted at <c>/../app</c> reaches the cgroup <c>/../app</c> and everything below it.
    /// </summary>
    public string? Resolve(string cgroupPath)
    {
        var root = Root.TrimEnd('/');
        if (root.Length > 0 && !(cgroupPath == root || cgroupPath.StartsWith(root + "/", StringComparison.Ordinal)))
        {
            return null;
        }

        var relative = cgroupPath[root.Length..].Trim('/');
        foreach (var segment in relative.Split('/'))
        {
            if (segment is "..")
            {
                return null; // above the mount's root: not under it
            }
        }

        return relative.Length == 0 ? MountPoint : Path.Join(MountPoint, relative);
    }
}
