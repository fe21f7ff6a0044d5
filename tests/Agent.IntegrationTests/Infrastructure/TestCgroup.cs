using System.Globalization;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A real cgroup made by a test (needs root): a v1 child of one controller's hierarchy, or a child
/// of the v2 hierarchy at <c>/sys/fs/cgroup/unified</c> (this machine is hybrid, see
/// docs/benchmarks.md and the shared findings). v1 memory children sit under the test process's
/// own memory cgroup, as the kernel requires here. Disposing kills whatever is still inside
/// (SIGKILL, until <c>cgroup.procs</c> is empty) and removes it and its children, even when the
/// test failed; names start with <c>agent-test-</c> so a leftover is recognisable.
/// </summary>
internal sealed class TestCgroup : IAsyncDisposable
{
    private readonly List<TestCgroup> _children = [];

    private TestCgroup(string path, string cgroupPath)
    {
        Path = path;
        CgroupPath = cgroupPath;
        Directory.CreateDirectory(path);
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The cgroup as /proc/&lt;pid&gt;/cgroup names it (from the root namespace).</summary>
    public string CgroupPath { get; }

    /// <summary>A child of the v1 hierarchy of <paramref name="controller"/> (memory: under this process's memory cgroup).</summary>
    public static TestCgroup V1(string controller)
    {
        var parent = controller == "memory" ? Own("memory") : "/";
        var name = Name();
        var cgroupPath = parent.TrimEnd('/') + "/" + name;
        return new TestCgroup(System.IO.Path.Join("/sys/fs/cgroup", controller, cgroupPath), cgroupPath);
    }

    /// <summary>A child of the (empty) v2 hierarchy mounted at /sys/fs/cgroup/unified.</summary>
    public static TestCgroup V2()
    {
        var name = Name();
        return new TestCgroup(System.IO.Path.Join("/sys/fs/cgroup/unified", name), "/" + name);
    }

    public TestCgroup Child(string name)
    {
        var child = new TestCgroup(System.IO.Path.Join(Path, name), CgroupPath + "/" + name);
        _children.Add(child);
        return child;
    }

    public void Write(string file, string value) => File.WriteAllText(System.IO.Path.Join(Path, file), value);

    public string Read(string file) => File.ReadAllText(System.IO.Path.Join(Path, file));

    /// <summary>The value of <paramref name="key"/> in a flat-keyed file (cpu.stat, memory.oom_control), parsed by the test itself.</summary>
    public long Key(string file, string key) =>
        long.Parse(File.ReadAllLines(System.IO.Path.Join(Path, file)).Select(l => l.Split(' ')).Single(p => p[0] == key)[1], CultureInfo.InvariantCulture);

    /// <summary>The <c>total=</c> of the <paramref name="line"/> ("some" or "full") of a PSI file, in microseconds.</summary>
    public long PressureTotal(string file, string line) =>
        long.Parse(File.ReadAllLines(System.IO.Path.Join(Path, file)).Single(l => l.StartsWith(line + " ", StringComparison.Ordinal)).Split("total=")[1], CultureInfo.InvariantCulture);

    /// <summary>A shell prefix that moves the shell into this cgroup, then execs the rest (same pid).</summary>
    public string Enter => $"echo $$ > {Path}/cgroup.procs && exec ";

    /// <summary>Moves a running process (all its threads) in.</summary>
    public void Add(int pid) => Write("cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));

    public int[] Pids() => File.Exists(System.IO.Path.Join(Path, "cgroup.procs"))
        ? [.. File.ReadAllLines(System.IO.Path.Join(Path, "cgroup.procs")).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture))]
        : [];

    public async ValueTask DisposeAsync()
    {
        foreach (var child in _children)
        {
            await child.DisposeAsync();
        }

        if (!Directory.Exists(Path))
        {
            return;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            foreach (var pid in Pids())
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }

            try
            {
                Directory.Delete(Path); // rmdir: a cgroup's files are not real files
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // still busy: processes exiting
            }
        }
    }

    private static string Name() => "agent-test-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>This process's cgroup in a v1 hierarchy, as /proc/self/cgroup says.</summary>
    private static string Own(string controller) =>
        File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3)).Single(p => p[1].Split(',').Contains(controller))[2];
}

/// <summary>Real cgroups with limits around a running target, for tests that need every container family.</summary>
internal static class Cgroups
{
    /// <summary>
    /// Moves <paramref name="pid"/> into v1 memory (1 GiB), cpu (2 cores) and pids (4096) children,
    /// so that limits, the working-set ratio, the CPU limit, the throttled share and pids exist.
    /// Disposing removes them (killing the target if it still runs).
    /// </summary>
    public static Limits WithLimits(int pid)
    {
        var memory = TestCgroup.V1("memory");
        var cpu = TestCgroup.V1("cpu");
        var pids = TestCgroup.V1("pids");
        memory.Write("memory.limit_in_bytes", (1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture));
        cpu.Write("cpu.cfs_quota_us", "200000");
        pids.Write("pids.max", "4096");
        foreach (var c in (TestCgroup[])[memory, cpu, pids])
        {
            c.Add(pid);
        }

        return new Limits([memory, cpu, pids]);
    }

    internal sealed class Limits(TestCgroup[] cgroups) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var c in cgroups)
            {
                await c.DisposeAsync();
            }
        }
    }
}
