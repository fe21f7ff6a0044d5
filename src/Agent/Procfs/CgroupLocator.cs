namespace Agent.Procfs;

/// <summary>
/// Finds a process's cgroup directories. <c>/proc/&lt;pid&gt;/cgroup</c> names the cgroup of each
/// hierarchy; a controller on a v1 line is read there (a hybrid machine), any other from the
/// unified line. Each directory is reached through the agent's own cgroup mounts
/// (<c>/proc/self/mountinfo</c>) when the cgroup lies inside them, else through the target's own
/// mounts under <c>/proc/&lt;pid&gt;/root</c>: in a pod whose containers have private cgroup
/// namespaces the agent sees the app's cgroup as <c>/../app</c>, outside its own mount, while the
/// app's root shows it (needs the target's uid or CAP_SYS_PTRACE, like <c>fd/</c>). Runs when a
/// target is found, not every tick.
/// </summary>
internal static class CgroupLocator
{
    /// <summary>mountinfo of a Kubernetes node's host process can pass 16 KiB; a container's is ~3 KiB.</summary>
    private const int BufferBytes = 64 * 1024;

    /// <param name="target">The target process.</param>
    /// <param name="self">The reader itself (its <c>mountinfo</c> says where cgroups are mounted for it).</param>
    /// <param name="fileSystemRoot">Prefix for the agent's mount points ("/" on a live system; a fixture tree in tests).</param>
    /// <param name="problem">Why nothing could be located, when the result is null.</param>
    public static CgroupPaths? Locate(ProcPid target, ProcPid self, string fileSystemRoot, out string? problem)
    {
        problem = null;
        var buffer = new byte[BufferBytes];
        var status = target.ReadCgroup(buffer, out var cgroup, out _);
        if (status != ProcReadStatus.Ok)
        {
            problem = $"cannot read {target.Directory}/cgroup ({status})";
            return null;
        }

        if (self.ReadMountInfo(buffer, out var own) != ProcReadStatus.Ok)
        {
            problem = $"cannot read {self.Directory}/mountinfo";
            return null;
        }

        ProcMountInfo? theirs = null;
        var theirsStatus = ProcReadStatus.Ok;
        ProcMountInfo? TargetMounts()
        {
            if (theirs is null && theirsStatus == ProcReadStatus.Ok)
            {
                theirsStatus = target.ReadMountInfo(buffer, out var m);
                theirs = theirsStatus == ProcReadStatus.Ok ? m : null;
            }

            return theirs;
        }

        var problems = new List<string>();
        CgroupDirectory? Find(string controller, bool v2Only = false)
        {
            var v1Path = v2Only ? null : cgroup.V1Path(controller);
            var (path, version) = v1Path is not null ? (v1Path, 1) : (cgroup.UnifiedPath, 2);
            if (path is null)
            {
                problems.Add($"{controller}: the process has no {(v2Only ? "unified (v2)" : "v1 or v2")} cgroup (no such line in {target.Directory}/cgroup)");
                return null;
            }

            CgroupMount? Pick(ProcMountInfo m) => version == 1 ? m.V1(controller) : m.Unified;
            var ownMount = Pick(own);
            var ownDir = ownMount?.Resolve(path) is { } d ? Rooted(fileSystemRoot, d) : null;
            if (ownDir is not null && Directory.Exists(ownDir))
            {
                return new CgroupDirectory(ownDir, version, CgroupRoute.AgentMount);
            }

            var theirMount = TargetMounts() is { } t ? Pick(t) : null;
            if (theirMount?.Resolve(path) is { } tdir && Directory.Exists(target.PathInRoot(tdir)))
            {
                return new CgroupDirectory(target.PathInRoot(tdir), version, CgroupRoute.TargetRoot);
            }

            var hierarchy = version == 1 ? $"v1 {controller} hierarchy" : "unified (v2) hierarchy";
            var where = ownMount is null ? $"the agent has no mount of the {hierarchy}"
                : ownDir is not null ? $"{ownDir} does not exist in the agent's view"
                : $"it is outside the agent's mount of {ownMount.Root} at {ownMount.MountPoint} (another cgroup namespace)";
            var viaTarget = theirsStatus == ProcReadStatus.Denied
                ? $"and {target.Directory}/root is not readable (run the agent as the target's uid or grant CAP_SYS_PTRACE)"
                : theirMount is null ? "and the target's own mounts show no such hierarchy either" : $"and the target's own mount ({theirMount.Root} at {theirMount.MountPoint}) does not reach it";
            problems.Add($"{controller}: the target's cgroup {path} cannot be reached: {where}, {viaTarget}; fix: mount the node's /sys/fs/cgroup read-only into the agent's container, or share the cgroup namespace");
            return null;
        }

        var memory = Find("memory");
        var cpu = Find("cpu");
        var cpuUsage = cgroup.V1Path("cpuacct") is not null ? Find("cpuacct") : cpu is { Version: 2 } ? cpu : Find("cpu", v2Only: true);
        var pids = Find("pids");
        var pressure = Find("pressure", v2Only: true);
        // The name shown: the memory controller's cgroup when it is on v1 and reached, else the unified one.
        var path = (memory is { Version: 1 } ? cgroup.MemoryV1Path : null) ?? cgroup.UnifiedPath ?? cgroup.MemoryV1Path ?? "?";
        return new CgroupPaths(path, memory, cpu, cpuUsage, pids, pressure, problems);
    }

    private static string Rooted(string root, string path) => root is "/" or "" ? path : Path.Join(root, path);
}
