using System.Globalization;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// A real pre-fork server (Debian's gunicorn with a Flask app, a master and 4 workers sharing one
/// listening socket) found by <c>Targets:web:Port</c> with <c>IncludeChildren</c>. The oracle is
/// /proc read by string splitting in the test.
/// </summary>
public sealed class GunicornTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gunicorn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ChildProcess StartGunicorn(int port, string pidFile) => ChildProcess.Start(
        "gunicorn",
        ["-w", "4", "-b", $"127.0.0.1:{port}", "--pid", pidFile, "--chdir", Repo.Targets, "flask_app:app"]);

    /// <summary>(pid, ppid, utime + stime + cutime + cstime in ticks) of every process, read from /proc.</summary>
    private static Dictionary<int, (int Ppid, long Ticks)> ProcList()
    {
        var result = new Dictionary<int, (int, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (f[0] != "Z")
                {
                    result[pid] = (int.Parse(f[1], CultureInfo.InvariantCulture), f.Skip(11).Take(4).Sum(v => long.Parse(v, CultureInfo.InvariantCulture)));
                }
            }
            catch (IOException)
            {
            }
        }

        return result;
    }

    private static List<int> Tree(int root)
    {
        var all = ProcList();
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(all.Where(p => p.Value.Ppid == tree[i]).Select(p => p.Key));
        }

        return tree.Where(all.ContainsKey).ToList();
    }

    private static double TreeCpuSeconds(int root)
    {
        var all = ProcList();
        return Tree(root).Sum(p => all.TryGetValue(p, out var v) ? v.Ticks : 0) / 100.0; // getconf CLK_TCK = 100 (FINDINGS)
    }

    private static async Task<int> MasterWithWorkers(string pidFile)
    {
        var master = 0;
        await Poll.Until(
            () => File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out master) && Tree(master).Count == 5,
            TimeSpan.FromSeconds(30),
            "gunicorn master with 4 workers");
        return master;
    }

    [Fact]
    public async Task The_port_finds_the_master_and_the_tree_is_summed_through_worker_and_master_restarts()
    {
        var port = Net.FreePort();
        var pidFile = Path.Combine(_dir, "gunicorn.pid");
        await using var first = StartGunicorn(port, pidFile);
        var master = await MasterWithWorkers(pidFile);

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Targets:web:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Targets:web:IncludeChildren"] = "true",
            ["Sampling:Interval"] = "00:00:00.500",
        });
        await Poll.Until(async () => (await agent.Metrics()).Value("target_processes", "target", "web") == 5, TimeSpan.FromSeconds(15), "web = master + 4 workers");

        var m = await agent.Metrics();
        Assert.Equal(master.ToString(CultureInfo.InvariantCulture), m.Named("target_process_info").Single(s => s["target"] == "web")["pid"]);
        Assert.Equal(Tree(master).Count, m.Value("target_processes", "target", "web"));
        var cpu = m.Value("target_process_cpu_seconds_total", "mode", "user")!.Value + m.Value("target_process_cpu_seconds_total", "mode", "system")!.Value;
        Assert.Equal(TreeCpuSeconds(master), cpu, 0.05 * 5);

        // A worker dies and is replaced: counters stay monotonic, no restart is counted.
        var worker = Tree(master)[1];
        Pod.Kill(worker);
        var lowest = cpu;
        await Poll.Until(
            async () =>
            {
                var now = await agent.Metrics();
                var c = now.Value("target_process_cpu_seconds_total", "mode", "user")!.Value + now.Value("target_process_cpu_seconds_total", "mode", "system")!.Value;
                Assert.True(c >= lowest - 1e-9, $"cpu went down: {c} < {lowest}");
                lowest = c;
                var tree = Tree(master);
                return tree.Count == 5 && !tree.Contains(worker) && now.Value("target_processes", "target", "web") == 5;
            },
            TimeSpan.FromSeconds(20),
            "a replacement worker summed");
        Assert.Equal(0, (await agent.Metrics()).Value("target_restarts_total", "target", "web"));

        // The master is replaced (a new server on the same port): one restart.
        var oldTree = Tree(master);
        first.Kill();
        await Poll.Until(() => oldTree.All(p => !Directory.Exists($"/proc/{p}")), TimeSpan.FromSeconds(20), "old server gone");
        File.Delete(pidFile);
        await using var second = StartGunicorn(port, pidFile);
        var newMaster = await MasterWithWorkers(pidFile);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_restarts_total", "target", "web") == 1, TimeSpan.FromSeconds(15), "one restart counted");
        await Poll.Until(async () => (await agent.Metrics()).Value("target_processes", "target", "web") == 5, TimeSpan.FromSeconds(15), "new tree summed");
        Assert.Equal(newMaster.ToString(CultureInfo.InvariantCulture), (await agent.Metrics()).Named("target_process_info").Single(s => s["target"] == "web")["pid"]);
    }
}
