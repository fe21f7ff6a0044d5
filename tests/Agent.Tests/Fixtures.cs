using Agent.Procfs;

namespace Agent.Tests;

/// <summary>
/// Captured /proc files under tests/fixtures/proc (copied next to the test assembly), and the
/// fixture procfs trees (tests/fixtures/proc/&lt;pid&gt;/…, tests/fixtures/proc-pod/&lt;pid&gt;/…,
/// written by tests/fixtures/make_proc_trees.py), read in place from the checkout.
/// </summary>
internal static class Fixtures
{
    public static byte[] Proc(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "proc", name));

    public static string ProcText(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "proc", name));

    /// <summary>A fixture tree under tests/fixtures/cgroup (a fake filesystem root).</summary>
    public static string CgroupTree(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "cgroup", name);

    /// <summary>A host: systemd, kernel threads, gunicorn with two workers, a containerised .NET process.</summary>
    public static ProcFs Host() => new(TreePath("proc"));

    /// <summary>A pod's shared PID namespace: pause as pid 1, the app as pid 2, pilot-agent + envoy, the agent (pid 6).</summary>
    public static ProcFs Pod() => new(TreePath("proc-pod"));

    public static string TreePath(string name) => Path.Combine(RepoRoot, "tests", "fixtures", name);

    /// <summary>A file of the checkout (e.g. the chart's values.schema.json).</summary>
    public static string RepoFile(params string[] parts) => Path.Combine([RepoRoot, .. parts]);

    /// <summary>The checkout the tests run from.</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Agent.sln not found above " + AppContext.BaseDirectory);
    }
}
