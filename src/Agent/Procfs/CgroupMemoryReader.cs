namespace Agent.Procfs;

/// <summary>
/// Finds and reads the memory cgroup of a process: its <c>cgroup</c> file names the cgroup, the
/// reader's own <c>mountinfo</c> says where that hierarchy is mounted. The v1 memory controller
/// wins when the process has one (a hybrid machine mounts memory on v1 and an empty v2); else the
/// unified hierarchy. Returns null with a reason when the cgroup cannot be reached.
/// </summary>
internal static class CgroupMemoryReader
{
    /// <param name="target">The target process.</param>
    /// <param name="self">The reader itself (its <c>mountinfo</c> says where cgroups are mounted).</param>
    /// <param name="fileSystemRoot">Prefix for the mount points ("/" on a live system; a fixture tree in tests).</param>
    public static CgroupMemory? Read(ProcPid target, ProcPid self, string fileSystemRoot, out string? problem)
    {
        var pidDirectory = target.Directory;
        var selfMountInfo = Path.Join(self.Directory, "mountinfo");
        problem = null;
        var buffer = new byte[16 * 1024];
        var status = ProcFileReader.Read(Path.Join(pidDirectory, "cgroup"), buffer, out var n);
        if (status != ProcReadStatus.Ok)
        {
            problem = $"cannot read {pidDirectory}/cgroup ({status})";
            return null;
        }

        var cgroup = ProcCgroup.Parse(buffer.AsSpan(0, n));
        if (ProcFileReader.Read(selfMountInfo, buffer, out n) != ProcReadStatus.Ok)
        {
            problem = $"cannot read {selfMountInfo}";
            return null;
        }

        var mounts = ProcMountInfo.Parse(buffer.AsSpan(0, n));
        if (cgroup.MemoryV1Path is { } v1Path && mounts.MemoryV1 is { } v1Mount)
        {
            return v1Mount.Resolve(v1Path) is { } dir
                ? ReadV1(Rooted(fileSystemRoot, dir), buffer, out problem)
                : Outside(v1Path, v1Mount, out problem);
        }

        if (cgroup.UnifiedPath is { } v2Path && mounts.Unified is { } v2Mount)
        {
            return v2Mount.Resolve(v2Path) is { } dir
                ? ReadV2(Rooted(fileSystemRoot, dir), buffer, out problem)
                : Outside(v2Path, v2Mount, out problem);
        }

        problem = "no memory cgroup mounted in the agent's container (mount /sys/fs/cgroup read-only)";
        return null;
    }

    private static CgroupMemory? Outside(string path, CgroupMount mount, out string problem)
    {
        problem = $"the target's cgroup {path} is outside the agent's mount of {mount.Root} at {mount.MountPoint} (another cgroup namespace)";
        return null;
    }

    private static string Rooted(string root, string path) => root is "/" or "" ? path : Path.Join(root, path);

    private static CgroupMemory? ReadV2(string dir, byte[] buffer, out string? problem)
    {
        problem = null;
        var current = ReadFile(Path.Join(dir, "memory.current"), buffer, out var text) ? CgroupFiles.ParseValue(text) : null;
        if (current is null && !File.Exists(Path.Join(dir, "memory.current")))
        {
            problem = $"{dir} has no memory controller (memory.current missing)";
            return null;
        }

        long? limit = null;
        var unlimited = false;
        if (ReadFile(Path.Join(dir, "memory.max"), buffer, out text))
        {
            limit = CgroupFiles.ParseLimit(text, out unlimited);
        }

        long? oomKill = null, oom = null;
        if (ReadFile(Path.Join(dir, "memory.events"), buffer, out text))
        {
            oomKill = CgroupFiles.FlatKeyed(text, "oom_kill"u8);
            oom = CgroupFiles.FlatKeyed(text, "oom"u8);
        }

        return new CgroupMemory(2, dir, current, limit, unlimited, oomKill, oom);
    }

    private static CgroupMemory? ReadV1(string dir, byte[] buffer, out string? problem)
    {
        problem = null;
        if (!Directory.Exists(dir))
        {
            problem = $"{dir} does not exist in the agent's view";
            return null;
        }

        var current = ReadFile(Path.Join(dir, "memory.usage_in_bytes"), buffer, out var text) ? CgroupFiles.ParseValue(text) : null;
        long? limit = null;
        var unlimited = false;
        if (ReadFile(Path.Join(dir, "memory.limit_in_bytes"), buffer, out text))
        {
            limit = CgroupFiles.ParseLimit(text, out unlimited);
        }

        var oomKill = ReadFile(Path.Join(dir, "memory.oom_control"), buffer, out text) ? CgroupFiles.FlatKeyed(text, "oom_kill"u8) : null;
        return new CgroupMemory(1, dir, current, limit, unlimited, oomKill, null);
    }

    private static bool ReadFile(string path, byte[] buffer, out ReadOnlySpan<byte> text)
    {
        var ok = ProcFileReader.Read(path, buffer, out var n) == ProcReadStatus.Ok;
        text = ok ? buffer.AsSpan(0, n) : default;
        return ok;
    }
}
