namespace Agent.Procfs;

/// <summary>
/// The memory cgroup of a process, located and read once (the diagnostics snapshot): the v1
/// memory controller when the process has one (a hybrid machine mounts memory on v1 and an empty
/// v2), else the unified hierarchy, through the agent's mount or the target's root
/// (<see cref="CgroupLocator"/>). Returns null with a reason when the cgroup cannot be reached.
/// </summary>
internal static class CgroupMemoryReader
{
    /// <param name="target">The target process.</param>
    /// <param name="self">The reader itself (its <c>mountinfo</c> says where cgroups are mounted).</param>
    /// <param name="fileSystemRoot">Prefix for the mount points ("/" on a live system; a fixture tree in tests).</param>
    public static CgroupMemory? Read(ProcPid target, ProcPid self, string fileSystemRoot, out string? problem)
    {
        var paths = CgroupLocator.Locate(target, self, fileSystemRoot, out problem);
        if (paths is null)
        {
            return null;
        }

        if (paths.Memory is not { } dir)
        {
            problem = paths.Problems.FirstOrDefault(p => p.StartsWith("memory:", StringComparison.Ordinal)) ?? "no memory cgroup found";
            return null;
        }

        var v = CgroupReader.Read(paths, new byte[16 * 1024]);
        if ((v.Missing & CgroupFile.MemoryUsage) != 0)
        {
            problem = $"{dir.Path} has no memory controller ({CgroupFileNames.Of(CgroupFile.MemoryUsage, dir.Version)} missing)";
            return null;
        }

        return new CgroupMemory(
            dir.Version, dir.Path, v.MemoryUsage, v.MemoryLimit, v.MemoryUnlimited, v.MemoryEvents.OomKill, v.MemoryEvents.Oom,
            v.WorkingSet, v.MemoryHigh, v.MemoryStat.Anon, v.MemoryStat.File, dir.Route.Label());
    }
}
