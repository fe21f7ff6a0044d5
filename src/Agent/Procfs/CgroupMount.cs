namespace Agent.Procfs;

/// <summary>A cgroup filesystem as the reader sees it: which cgroup (<see cref="Root"/>) is mounted where.</summary>
internal sealed record CgroupMount(string Root, string MountPoint)
{
    /// <summary>
    /// The directory of <paramref name="cgroupPath"/> under this mount, or null when the cgroup
    /// lies outside the mounted subtree (another container's cgroup namespace, or a mount of a
    /// sub-cgroup): it cannot be reached through this mount at all.
    /// </summary>
    public string? Resolve(string cgroupPath)
    {
        if (cgroupPath.Contains("/..", StringComparison.Ordinal))
        {
            return null;
        }

        var root = Root.TrimEnd('/');
        if (root.Length > 0 && !(cgroupPath == root || cgroupPath.StartsWith(root + "/", StringComparison.Ordinal)))
        {
            return null;
        }

        var relative = cgroupPath[root.Length..].TrimStart('/');
        return relative.Length == 0 ? MountPoint : Path.Join(MountPoint, relative);
    }
}
