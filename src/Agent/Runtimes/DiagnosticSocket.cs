using Agent.Procfs;

namespace Agent.Runtimes;

/// <summary>
/// Finds a .NET process's diagnostic socket (<c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>).
/// It lives in the target's temp directory: the agent's own <c>$TMPDIR</c>/<c>/tmp</c> when shared
/// (a Kubernetes emptyDir on /tmp), else the target's <c>/tmp</c> seen through its root link, where
/// the name carries the pid as the target's own PID namespace sees it (NSpid).
/// </summary>
/// <remarks>
/// The runtime's key is its own start time (field 22 of <c>/proc/self/stat</c>, clock ticks after
/// boot; boot time is not namespaced), so the exact name is known and one existence check per place
/// finds it. Only that name is taken: a socket under the same pid with another key was left by an
/// earlier process (a killed runtime never removes its socket, and pids are reused), and listing
/// a <c>/tmp</c> of thousands of entries cost ~23 ms of CPU per look. The newest name by listing is
/// the fallback only when the start time cannot be read.
/// </remarks>
internal static class DiagnosticSocket
{
    public static string? Find(ProcPid process) =>
        Find(process, AgentTmp());

    public static string? Find(ProcPid process, string agentTmp) =>
        Candidates(process, agentTmp) is { } exact ? FirstExisting(exact) : Scan(Dirs(process, agentTmp), Pids(process));

    /// <summary>
    /// The exact names the socket of the process started at <paramref name="startTimeTicks"/> (its
    /// identity, stat field 22) can have: two or four paths. They never change for one process, so
    /// a follower computes them once and then only checks that one exists (<see cref="FirstExisting"/>):
    /// no /proc read per look.
    /// </summary>
    public static string[] Candidates(ProcPid process, ulong startTimeTicks) =>
        Candidates(process, startTimeTicks, AgentTmp());

    private static string[]? Candidates(ProcPid process, string agentTmp)
    {
        Span<byte> buffer = stackalloc byte[4096];
        return process.ReadStat(buffer, out var stat, out _) == ProcReadStatus.Ok ? Candidates(process, stat.StartTimeTicks, agentTmp) : null;
    }

    public static string[] Candidates(ProcPid process, ulong startTimeTicks, string agentTmp)
    {
        var names = new List<string>(4);
        var pids = Pids(process);
        foreach (var dir in Dirs(process, agentTmp))
        {
            foreach (var p in pids)
            {
                names.Add(Path.Join(dir, $"dotnet-diagnostic-{p}-{startTimeTicks}-socket"));
            }
        }

        return [.. names];
    }

    public static string? FirstExisting(string[] candidates)
    {
        foreach (var path in candidates)
        {
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>Where this agent's runtime would put its own sockets: <c>$TMPDIR</c>, else <c>/tmp</c>.</summary>
    public static string AgentTmp() => Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp";

    private static string[] Dirs(ProcPid process, string agentTmp) => [agentTmp, process.PathInRoot("/tmp")];

    private static int[] Pids(ProcPid process)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var namespacePid = process.ReadStatus(buffer, out var status) == ProcReadStatus.Ok && status.NamespacePid is { } n ? n : process.Pid;
        return process.Pid == namespacePid ? [process.Pid] : [process.Pid, namespacePid];
    }

    private static string? Scan(string[] dirs, int[] pids)
    {
        foreach (var dir in dirs)
        {
            foreach (var p in pids)
            {
                try
                {
                    var newest = new DirectoryInfo(dir)
                        .EnumerateFiles($"dotnet-diagnostic-{p}-*-socket")
                        .OrderByDescending(f => f.LastWriteTimeUtc)
                        .FirstOrDefault();
                    if (newest is not null)
                    {
                        return newest.FullName;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
                {
                    // not visible from here; try the next place
                }
            }
        }

        return null;
    }
}
