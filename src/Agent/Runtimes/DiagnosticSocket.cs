using Agent.Procfs;

namespace Agent.Runtimes;

/// <summary>
/// Finds a .NET process's diagnostic socket (<c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>).
/// It lives in the target's temp directory: the agent's own <c>$TMPDIR</c>/<c>/tmp</c> when shared
/// (a Kubernetes emptyDir on /tmp), else the target's <c>/tmp</c> seen through its root link, where
/// the name carries the pid as the target's own PID namespace sees it (NSpid).
/// The key is the process's start time (stat field 22): a socket whose key is older than the
/// process belongs to a dead process that had the same pid (a killed runtime leaves its socket
/// file behind; with thousands of them in a shared /tmp a new pid often matches one) and is skipped.
/// </summary>
internal static class DiagnosticSocket
{
    public static string? Find(ProcPid process) =>
        Find(process, Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp");

    public static string? Find(ProcPid process, string agentTmp)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var namespacePid = process.ReadStatus(buffer, out var status) == ProcReadStatus.Ok && status.NamespacePid is { } n ? n : process.Pid;
        var startTicks = process.ReadStat(buffer, out var stat, out _) == ProcReadStatus.Ok ? stat.StartTimeTicks : 0UL;
        string[] dirs = [agentTmp, process.PathInRoot("/tmp")];
        foreach (var dir in dirs)
        {
            foreach (var p in new[] { process.Pid, namespacePid }.Distinct())
            {
                try
                {
                    var newest = new DirectoryInfo(dir)
                        .EnumerateFiles($"dotnet-diagnostic-{p}-*-socket")
                        .Where(f => !StartedBefore(f.Name, p, startTicks))
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

    // dotnet-diagnostic-<pid>-<key>-socket: true when the key is a start time before the process's own.
    private static bool StartedBefore(string name, int pid, ulong startTicks)
    {
        var key = name.AsSpan($"dotnet-diagnostic-{pid}-".Length);
        key = key[..^"-socket".Length];
        return startTicks > 0 && ulong.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var started) && started < startTicks;
    }
}
