using Agent.Procfs;

namespace Agent.Capabilities;

/// <summary>
/// What the agent can read of a target's cgroup: which cgroup, reached how (the agent's mount or
/// the target's root), each file it reads every tick, whether an OOM kill between two ticks is
/// caught, and the fix for what it cannot reach. One read of each file, as a tick would.
/// </summary>
internal static class CgroupCheck
{
    public const string Name = "cgroup";

    public const string Affects = "every target_container_* metric (memory against its limit, CPU throttling, pressure, pids) and OOM-kill attribution";

    /// <param name="fileSystemRoot">Where the agent's mount points are ("/"; a fixture tree in tests).</param>
    public static IEnumerable<Capability> Inspect(ProcPid target, ProcPid self, string fileSystemRoot = "/")
    {
        if (target.ReadCgroup(new byte[16 * 1024], out _, out _) == ProcReadStatus.Gone)
        {
            yield return new(Name, CapabilityStatus.NotApplicable, $"not present: {target.Directory}/cgroup (a kernel without cgroups)", null, Affects);
            yield break;
        }

        var paths = CgroupLocator.Locate(target, self, fileSystemRoot, out var problem);
        if (paths is null)
        {
            yield return new(Name, CapabilityStatus.Unavailable, problem ?? "no cgroup found", "make /proc/<pid>/cgroup and the agent's /proc/self/mountinfo readable (a procfs mount of the pod's PID namespace)", Affects);
            yield break;
        }

        var values = CgroupReader.Read(paths, new byte[16 * 1024]);
        var readable = new List<string>();
        var missing = new List<Capability>();
        foreach (var file in CgroupFileNames.All)
        {
            if (paths.DirectoryOf(file) is not { } dir)
            {
                continue;
            }

            var name = CgroupFileNames.Of(file, dir.Version);
            if ((values.Missing & file) == 0)
            {
                readable.Add(name);
            }
            else
            {
                missing.Add(new(
                    $"{Name}:{name}",
                    CapabilityStatus.NotApplicable,
                    $"not present in {dir.Path}: the cgroup has no such controller enabled, or the kernel is older",
                    null,
                    CgroupFileNames.Affects(file)));
            }
        }

        var route = paths.Route == CgroupRoute.TargetRoot ? $"through the target's root ({target.Directory}/root)" : "through the agent's cgroup mount";
        if (readable.Count > 0)
        {
            yield return new(Name, CapabilityStatus.Available, $"v{paths.Version} {paths.CgroupPath} {route}; readable: {string.Join(", ", readable.Distinct())}; {Watch(paths)}", null, Affects);
        }

        foreach (var p in paths.Problems)
        {
            var controller = p[..Math.Max(0, p.IndexOf(':', StringComparison.Ordinal))];
            var at = p.IndexOf("fix: ", StringComparison.Ordinal);
            var fix = at >= 0 ? p[(at + 5)..] : "mount the node's /sys/fs/cgroup read-only into the agent's container";
            yield return new($"{Name}:{controller}", CapabilityStatus.Unavailable, at >= 0 ? p[..at].TrimEnd(' ', ';') : p, fix, $"the {controller} part of the container metrics");
        }

        foreach (var m in missing)
        {
            yield return m;
        }
    }

    /// <summary>Whether a kill between two ticks is caught (a real registration is not made here: only its precondition is checked).</summary>
    private static string Watch(CgroupPaths paths)
    {
        if (paths.Memory is not { } dir)
        {
            return "OOM kills: no memory cgroup";
        }

        if (dir.Version == 2)
        {
            return "OOM kills caught between ticks (inotify on memory.events)";
        }

        try
        {
            using var control = new FileStream(Path.Join(dir.Path, "cgroup.event_control"), FileMode.Open, FileAccess.Write);
            return "OOM kills caught between ticks (eventfd on memory.oom_control)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "OOM kills read each tick only: cgroup.event_control is not writable (v1 notifications need root or a writable cgroup mount), so a kill whose cgroup is removed before the next tick is missed";
        }
    }
}
