using Agent.Procfs;

namespace Agent.Runtimes.Python;

/// <summary>
/// The Python diagnostics hook (<c>src/python-hook/sidecar_hook.py</c>, embedded in the agent and
/// printed by <c>agent python-hook</c>): where a process's hook listens and how an application
/// loads it. The hook listens on <c>sidecar-hook-&lt;pid&gt;.sock</c> in the process's temp
/// directory (<c>$TMPDIR</c>, else <c>/tmp</c>), the directory the .NET diagnostic socket needs
/// shared too; the pid in the name is the one the process sees (NSpid).
/// </summary>
internal static class PythonHook
{
    /// <summary>The protocol version the agent speaks (the hook's <c>PROTOCOL</c>).</summary>
    public const int Protocol = 1;

    public const string ModuleFile = "sidecar_hook.py";

    public const string SiteCustomizeFile = "sitecustomize.py";

    /// <summary>The one line that loads the hook in an application.</summary>
    public const string ImportLine = "import sidecar_hook";

    /// <summary>Where the image ships the hook (a directory to put on PYTHONPATH).</summary>
    public const string ImageDirectory = "/app/python-hook";

    /// <summary>The fix named wherever the hook is missing: both ways to load it.</summary>
    public const string LoadFix =
        "load the agent's Python hook in the application: add the line `" + ImportLine + "` (the file: `agent python-hook > sidecar_hook.py`, next to the app), "
        + "or with no code change put a directory holding sidecar_hook.py and its sitecustomize.py on PYTHONPATH (`agent python-hook --install DIR`; the image ships one at " + ImageDirectory + "); "
        + "the hook's socket sidecar-hook-<pid>.sock must be in a /tmp the agent shares, and the agent must run as the app's user";

    public static string SocketName(int pid) => $"sidecar-hook-{pid}.sock";

    /// <summary>The hook's socket of a process, or null: the agent's temp directory and the process's own /tmp, under both its pids.</summary>
    public static string? Find(ProcPid process) => Find(process, DiagnosticSocket.AgentTmp());

    public static string? Find(ProcPid process, string agentTmp)
    {
        foreach (var path in Candidates(process, agentTmp))
        {
            if (File.Exists(path) && !Predates(path, process))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>
    /// A socket file made before the process started is an earlier process's under the same pid (a
    /// SIGKILLed app leaves its socket; pids are reused): never this one's. Seen as a .NET target's
    /// "python_hook: nothing listens … left by a process that exited" problem in agent check.
    /// One second of slack: boot time has whole seconds.
    /// </summary>
    private static bool Predates(string path, ProcPid process) =>
        process.StartedAt() is { } started && File.GetLastWriteTimeUtc(path) < started.UtcDateTime.AddSeconds(-1);

    /// <summary>The two or four paths the hook of this process can listen on.</summary>
    public static IEnumerable<string> Candidates(ProcPid process, string agentTmp)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var namespacePid = process.ReadStatus(buffer, out var status) == ProcReadStatus.Ok && status.NamespacePid is { } n ? n : process.Pid;
        int[] pids = namespacePid == process.Pid ? [process.Pid] : [process.Pid, namespacePid];
        foreach (var dir in new[] { agentTmp, process.PathInRoot("/tmp") })
        {
            foreach (var pid in pids)
            {
                yield return Path.Join(dir, SocketName(pid));
            }
        }
    }

    /// <summary>The text of a shipped file (<see cref="ModuleFile"/> or <see cref="SiteCustomizeFile"/>), embedded in the agent.</summary>
    public static string Source(string file)
    {
        using var stream = typeof(PythonHook).Assembly.GetManifestResourceStream("python-hook/" + file)
            ?? throw new InvalidOperationException($"{file} is not embedded in this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Writes the hook and its sitecustomize.py into <paramref name="directory"/> (created if needed), readable by everyone: the app's user loads them.</summary>
    public static IReadOnlyList<string> Install(string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var file in new[] { ModuleFile, SiteCustomizeFile })
        {
            var path = Path.Join(directory, file);
            var staged = path + ".tmp";
            File.WriteAllText(staged, Source(file));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(staged, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            File.Move(staged, path, overwrite: true);
            written.Add(path);
        }

        return written;
    }
}
