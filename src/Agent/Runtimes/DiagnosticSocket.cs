using Agent.Procfs;

namespace Agent.Runtimes;

/// <summary>
/// Finds a .NET process's diagnostic socket (<c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>).
/// It lives in the target's temp directory: the agent's own <c>$TMPDIR</c>/<c>/tmp</c> when shared
/// (a Kubernetes emptyDir on /tmp), else the target's <c>/tmp</c> seen through its root link, where
/// the name carries the pid as the target's own PID namespace sees it (NSpid).
/// </summary>
internal static class DiagnosticSocket
{
    public static string? Find(ProcPid process) =>
        Find(process, Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp");

    public static string? Find(ProcPid process, string agentTmp)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var namespacePid = process.ReadStatus(buffer, out var status) == ProcReadStatus.Ok && status.NamespacePid is { } n ? n : process.Pid;
        string[] dirs = [agentTmp, process.PathInRoot("/tmp")];
        foreach (var dir in dirs)
        {
            foreach (var p in new[] { process.Pid, namespacePid }.Distinct())
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
