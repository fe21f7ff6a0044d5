using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A pod without a cluster: a real PID namespace made with <c>unshare --pid --fork --mount-proc</c>
/// whose pid 1 is a process named <c>pause</c>, and "containers" entered with <c>nsenter</c>, so
/// their parent pid is 0 inside (as with Kubernetes' shareProcessNamespace). Needs root. The
/// namespace's pid 1 ignores SIGTERM: disposing SIGKILLs it, which ends every process inside.
/// </summary>
internal sealed class Pod : IAsyncDisposable
{
    private readonly string _dir;
    private readonly ChildProcess _unshare;
    private readonly List<ChildProcess> _entered = [];

    private Pod(string dir, ChildProcess unshare, int pid1)
    {
        _dir = dir;
        _unshare = unshare;
        Pid1 = pid1;
    }

    /// <summary>The namespace's pid 1 (pause) as the host numbers it.</summary>
    public int Pid1 { get; }

    /// <summary>
    /// <c>nsenter</c> into this pod's PID and mount namespaces (its own /proc). The working
    /// directory is kept: nsenter would otherwise start in <c>/</c>, and ASP.NET Core's content root
    /// there makes its configuration file watcher walk the whole file system (~20 s here).
    /// </summary>
    public IReadOnlyList<string> Launcher => ["nsenter", "-t", Pid1.ToString(CultureInfo.InvariantCulture), "-p", "-m", "--wd=" + AppContext.BaseDirectory, "--"];

    public static async Task<Pod> Start()
    {
        var dir = Directory.CreateTempSubdirectory("pod-").FullName;
        var pause = Copy(dir, "pause");
        var unshare = ChildProcess.Start("unshare", ["--pid", "--fork", "--mount-proc", pause, "infinity"]);
        var pid1 = await ChildOf(unshare.Pid);
        return new Pod(dir, unshare, pid1);
    }

    /// <summary>A program named <paramref name="name"/> (a copy of sleep: its comm is the name).</summary>
    public string Program(string name) => Copy(_dir, name);

    /// <summary>Starts a "container": <paramref name="file"/> entered into the pod. Returns nsenter and the host pid of the container's process.</summary>
    public async Task<(ChildProcess Nsenter, int HostPid)> Enter(string file, params string[] args)
    {
        var p = ChildProcess.Start(Launcher[0], [.. Launcher.Skip(1), file, .. args]);
        _entered.Add(p);
        return (p, await ChildOf(p.Pid));
    }

    /// <summary>The last NSpid of a host process: its pid inside its own PID namespace.</summary>
    public static int NamespacePid(int hostPid) =>
        int.Parse(File.ReadLines($"/proc/{hostPid}/status").Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal))
            .Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture);

    /// <summary>Waits for the (first) child of a host process, read from /proc by string splitting.</summary>
    public static async Task<int> ChildOf(int parent)
    {
        var found = 0;
        await Poll.Until(
            () =>
            {
                foreach (var dir in Directory.EnumerateDirectories("/proc"))
                {
                    if (!int.TryParse(Path.GetFileName(dir), out var pid))
                    {
                        continue;
                    }

                    try
                    {
                        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                        if (int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture) == parent)
                        {
                            found = pid;
                            return true;
                        }
                    }
                    catch (IOException)
                    {
                    }
                }

                return false;
            },
            TimeSpan.FromSeconds(10),
            $"a child of {parent}");
        return found;
    }

    public static void Kill(int hostPid)
    {
        try
        {
            System.Diagnostics.Process.GetProcessById(hostPid).Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill(Pid1); // SIGKILL: the namespace's init ignores SIGTERM; its death ends every process inside
        foreach (var p in _entered)
        {
            await p.DisposeAsync();
        }

        await _unshare.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Copy(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            ExecutableCopy.Make("/bin/sleep", path);
        }

        return path;
    }
}
