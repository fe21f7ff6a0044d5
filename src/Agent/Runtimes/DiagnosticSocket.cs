using System.Globalization;

namespace Agent.Runtimes;

/// <summary>
/// Finds a .NET process's diagnostic socket (<c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>).
/// It lives in the target's temp directory: the agent's own <c>$TMPDIR</c>/<c>/tmp</c> when shared
/// (a Kubernetes emptyDir on /tmp), else the target's <c>/proc/&lt;pid&gt;/root/tmp</c>, where the name
/// carries the pid as the target's own PID namespace sees it.
/// </summary>
internal static class DiagnosticSocket
{
    public static string? Find(int pid, string procRoot)
    {
        var tmp = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp";
        var namespacePid = NamespacePid(pid, procRoot);
        string[] dirs = [tmp, Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "root", "tmp")];
        foreach (var dir in dirs)
        {
            foreach (var p in new[] { pid, namespacePid }.Distinct())
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

    /// <summary>The last NSpid of /proc/&lt;pid&gt;/status: the pid inside the target's own namespace.</summary>
    private static int NamespacePid(int pid, string procRoot)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "status")))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var last = line[6..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                    return int.TryParse(last, CultureInfo.InvariantCulture, out var n) ? n : pid;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return pid;
    }
}
