using System.Diagnostics;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Sampling;

/// <summary>
/// Several targets and pod-aware Auto on a copy of the pod fixture tree (pause pid 1, app pid 2
/// with a worker, pilot-agent with envoy, the agent pid 6, cron adopted by pause), changed between
/// ticks the way containers come and go.
/// </summary>
public sealed class TargetSetTreeTests : IDisposable
{
    private const int Agent = 6;
    private readonly string _root = Directory.CreateTempSubdirectory("proc-pod-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly ProcFs _fs;
    private readonly TrackerFactory _factory;

    public TargetSetTreeTests()
    {
        using var cp = Process.Start("cp", ["-a", Fixtures.TreePath("proc-pod") + "/.", _root])!;
        cp.WaitForExit();
        Assert.Equal(0, cp.ExitCode);
        _fs = new ProcFs(_root);
        _factory = new TrackerFactory(new ProcessReader(new ProcSystem(_fs)), TimeSpan.FromSeconds(1), _time, NullLogger.Instance, new RepeatGate(_time));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TargetSet Auto(params TargetTracker[] configured) =>
        new(configured, new AutoDiscovery(_factory, AutoDiscovery.KnownProxies.ToHashSet(), includeChildren: true), _factory.Reader, Agent, _time);

    private SamplingSnapshot Tick(TargetSet set)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        return set.Tick();
    }

    /// <summary>A new process: a copy of cron's files with pid, parent, comm and start time changed.</summary>
    private void Start(int pid, int ppid, string comm, ulong start)
    {
        var dir = Path.Combine(_root, pid.ToString());
        using (var cp = Process.Start("cp", ["-a", Path.Combine(Fixtures.TreePath("proc-pod"), "7"), dir])!)
        {
            cp.WaitForExit();
        }

        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        rest[1] = ppid.ToString(); // (4) ppid
        rest[19] = start.ToString(); // (22) starttime
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} ({comm}) {string.Join(' ', rest)}");
    }

    private void Kill(int pid) => Directory.Delete(Path.Combine(_root, pid.ToString()), recursive: true);

    [Fact]
    public void Auto_makes_every_top_level_process_a_target_named_after_its_comm_and_proxies_optional()
    {
        var s = Tick(Auto());

        Assert.Equal(new[] { "app", "cron", "pilot-agent" }, s.Targets.Select(t => t.Name));
        Assert.All(s.Targets, t => Assert.NotNull(t.Sample));
        Assert.Equal(2, s.Find("app")!.Sample!.Identity.Pid); // the app as pid 2 of the namespace
        Assert.Equal(2, s.Find("app")!.Sample!.ProcessCount); // with its worker; the zombie is not counted
        Assert.True(s.Find("app")!.Required);
        Assert.False(s.Find("pilot-agent")!.Required); // envoy's parent: a known proxy
        Assert.Equal(2, s.Find("pilot-agent")!.Sample!.ProcessCount);
    }

    [Fact]
    public void A_killed_app_is_absent_and_its_restart_keeps_the_name_and_counts_one()
    {
        var set = Auto();
        Tick(set);

        Kill(2);
        Kill(8);
        var gone = Tick(set);
        Assert.Null(gone.Find("app")!.Sample);
        Assert.True(gone.Find("app")!.Required);

        Start(20, 0, "app", 5000); // the container restarted
        var seen = Enumerable.Range(0, 3).Select(_ => Tick(set)).ToList();

        var back = seen.Last().Find("app")!;
        Assert.Equal(20, back.Sample!.Identity.Pid);
        Assert.Equal(1, back.Restarts);
        Assert.DoesNotContain(seen.Last().Targets, t => t.Name == "app-2");
        Assert.Equal(0, seen.Last().Find("cron")!.Restarts);
    }

    [Fact]
    public void A_late_container_is_found_within_three_intervals_and_repeats_are_numbered()
    {
        var set = Auto();
        Tick(set);

        Start(30, 0, "redis-server", 6000);
        Start(31, 1, "cron", 6001); // a second cron, adopted by pause
        var within = Enumerable.Range(0, 3).Select(_ => Tick(set)).ToList();

        Assert.Equal(30, within.Last().Find("redis-server")!.Sample!.Identity.Pid);
        Assert.Equal(31, within.Last().Find("cron-2")!.Sample!.Identity.Pid);
        Assert.Equal(7, within.Last().Find("cron")!.Sample!.Identity.Pid);
    }

    [Fact]
    public void A_configured_target_claims_its_process_so_auto_does_not_add_it_twice()
    {
        var web = _factory.Create("web", required: true, new PortSelector(8080), includeChildren: true);

        var s = Tick(Auto(web));

        Assert.Equal(new[] { "cron", "pilot-agent", "web" }, s.Targets.Select(t => t.Name));
        Assert.Equal(2, s.Find("web")!.Sample!.Identity.Pid);
    }

    [Fact]
    public void Steady_configured_targets_do_not_scan_the_process_table()
    {
        var set = new TargetSet(
            [_factory.Create("a", true, new PidSelector(2), includeChildren: false), _factory.Create("b", true, new PidSelector(5), includeChildren: false)],
            null, _factory.Reader, Agent, _time);

        Tick(set);
        Assert.False(set.LastTickScanned);

        var withTree = new TargetSet([_factory.Create("a", true, new PidSelector(2), includeChildren: true), _factory.Create("b", true, new PidSelector(3), includeChildren: true)], null, _factory.Reader, Agent, _time);
        var s = Tick(withTree);
        Assert.True(withTree.LastTickScanned); // once, shared by both trees
        Assert.Equal(2, s.Find("b")!.Sample!.ProcessCount);
    }

    [Fact]
    public void Two_named_targets_count_restarts_separately()
    {
        var set = new TargetSet(
            [_factory.Create("app", true, new ProcessNameSelector("app"), includeChildren: false), _factory.Create("cron", true, new ProcessNameSelector("cron"), includeChildren: false)],
            null, _factory.Reader, Agent, _time);
        Tick(set);

        Kill(7);
        Start(40, 1, "cron", 7000);
        var s = Enumerable.Range(0, 3).Select(_ => Tick(set)).Last();

        Assert.Equal(1, s.Find("cron")!.Restarts);
        Assert.Equal(0, s.Find("app")!.Restarts);
    }
}
