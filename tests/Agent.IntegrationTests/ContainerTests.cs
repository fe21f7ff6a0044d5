using System.Globalization;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The container view against real cgroups made by each test on this hybrid machine (v1
/// controllers, an empty v2 hierarchy at /sys/fs/cgroup/unified; needs root), each compared with
/// the kernel's files read by the test itself: CFS throttling in a v1 cpu child, OOM kills in a v1
/// memory child (a worker, then the target itself in a cgroup removed before the agent's next tick),
/// PSI in a v2 child, and the pod case where the agent sits in a sibling cgroup namespace. Every
/// cgroup is removed afterwards, whatever the outcome (<see cref="TestCgroup"/>).
/// </summary>
public sealed class ContainerTests : IDisposable
{
    private const string Token = "container-test-token-0123456789";
    private const long MiB = 1 << 20;
    private readonly string _dir = Directory.CreateTempSubdirectory("container-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Py => Path.Combine(Repo.Targets, "oom_target.py");

    /// <summary>The target, started by a shell that first moves itself into <paramref name="cgroups"/> (the pid stays the same through exec).</summary>
    private static async Task<ChildProcess> Target(params TestCgroup[] cgroups)
    {
        var enter = string.Concat(cgroups.Select(c => $"echo $$ > {c.Path}/cgroup.procs && "));
        var p = ChildProcess.Start("sh", ["-c", $"{enter}exec /usr/bin/python3 {Py}"]);
        await p.WaitForOutput("ready", TimeSpan.FromSeconds(15));
        return p;
    }

    private static double? Value(List<Series> m, string name, string target) => m.Value(name, "target", target);

    [Fact]
    public async Task Throttling_in_a_v1_cpu_child_with_a_fifth_of_a_core_equals_cpu_stat()
    {
        await using var cpu = TestCgroup.V1("cpu");
        await using var cpuacct = TestCgroup.V1("cpuacct");
        cpu.Write("cpu.cfs_period_us", "100000");
        cpu.Write("cpu.cfs_quota_us", "20000");
        await using var busy = await Target(cpu, cpuacct);
        await busy.WriteLine("busy");
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Targets:busy:Pid"] = busy.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.200",
            ["Sampling:CgroupInterval"] = "00:00:00.200", // every tick: the test compares with the files
        });

        // Throttled on most periods while it spins: the share of the last interval and the counters rise.
        var m = await Poll.Until(
            async () => await agent.Metrics() is var s && Value(s, "target_container_cpu_cfs_throttled_periods_total", "busy") >= 20 && Value(s, "target_container_cpu_throttled_ratio", "busy") > 0.5 ? s : null,
            TimeSpan.FromSeconds(30),
            "20 throttled periods and a throttled share above 50 %");
        Assert.Equal(0.2, Value(m, "target_container_cpu_limit_cores", "busy"));
        Assert.Single(m.Named("target_container_info"), s => s["target"] == "busy" && s["route"] == "agent_mount");

        // Stop it: the counters stand still, and the agent's equal what the test reads from the kernel.
        busy.Signal(19); // SIGSTOP
        string last = string.Empty;
        await Poll.Until(
            async () =>
            {
                var s = await agent.Metrics();
                var file = (Periods: cpu.Key("cpu.stat", "nr_periods"), Throttled: cpu.Key("cpu.stat", "nr_throttled"), Ns: cpu.Key("cpu.stat", "throttled_time"), Usage: long.Parse(cpuacct.Read("cpuacct.usage").Trim(), CultureInfo.InvariantCulture));
                var agentView = (Periods: Value(s, "target_container_cpu_cfs_periods_total", "busy"), Throttled: Value(s, "target_container_cpu_cfs_throttled_periods_total", "busy"), Seconds: Value(s, "target_container_cpu_cfs_throttled_seconds_total", "busy"), Usage: Value(s, "target_container_cpu_usage_seconds_total", "busy"));
                last = $"file {file}, agent {agentView}";
                return agentView.Periods == file.Periods && agentView.Throttled == file.Throttled
                    && Math.Abs(agentView.Seconds!.Value - (file.Ns / 1000 / 1e6)) < 1e-9
                    && Math.Abs(agentView.Usage!.Value - (file.Usage / 1000 / 1e6)) < 1e-9;
            },
            TimeSpan.FromSeconds(20),
            "the agent's counters to equal cpu.stat and cpuacct.usage of the stopped target");
        Assert.True(cpu.Key("cpu.stat", "nr_throttled") >= 20, last);

        // The process's own CPU time (its stat, not the cgroup) is within the quota's reach: ≤ 0.2 s per second alive.
        var stat = File.ReadAllText($"/proc/{busy.Pid}/stat").Split(") ")[1].Split(' ');
        var processSeconds = (long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture)) / 100.0;
        var alive = (DateTime.Now - System.Diagnostics.Process.GetProcessById(busy.Pid).StartTime).TotalSeconds;
        Assert.True(processSeconds <= (0.2 * alive) + 0.3, $"{processSeconds} s of CPU in {alive:F1} s under a 0.2-core quota");
    }

    [Fact]
    public async Task A_worker_oom_killed_in_a_v1_memory_child_is_counted_and_named_and_the_survivor_goes_on()
    {
        await using var memory = TestCgroup.V1("memory");
        memory.Write("memory.limit_in_bytes", (96 * MiB).ToString(CultureInfo.InvariantCulture));
        await using var target = await Target(memory);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Targets:web:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
            ["Targets:web:IncludeChildren"] = "true",
            ["Sampling:Interval"] = "00:00:00.200",
            ["Sampling:CgroupInterval"] = "00:00:00.200", // every tick: the test compares with the files
            ["Security:MetricsToken"] = Token,
            ["Diagnostics:Directory"] = Path.Combine(_dir, "artifacts"),
            // Evidence before the kill: the working set passes 80 % of the limit on the way up.
            ["Triggers:near-limit:Target"] = "web",
            ["Triggers:near-limit:Metric"] = "target_container_memory_working_set_ratio",
            ["Triggers:near-limit:Above"] = "0.8",
            ["Triggers:near-limit:Actions"] = "snapshot",
        });
        await Poll.Until(async () => Value(await Metrics(agent), "target_container_memory_limit_bytes", "web") == 96 * MiB, TimeSpan.FromSeconds(15), "the 96 MiB limit");

        // A worker allocates 300 MiB at 10 MiB/s: the kernel kills it at the limit, ~2 s after 80 %.
        await target.WriteLine("fork 300 10");
        await target.WaitForOutput("exited -9", TimeSpan.FromSeconds(60));
        var killed = int.Parse(target.Stdout.Split('\n').Single(l => l.StartsWith("worker ", StringComparison.Ordinal) && l.Contains("exited", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
        Assert.Equal(1, memory.Key("memory.oom_control", "oom_kill")); // the kernel's own count

        var m = await Poll.Until(async () => await Metrics(agent) is var s && Value(s, "target_container_oom_events_total", "web") == 1 ? s : null, TimeSpan.FromSeconds(10), "one OOM kill counted");
        Assert.Equal(1, Value(m, "target_up", "web"));
        Assert.Equal(0, Value(m, "target_restarts_total", "web"));
        Assert.Equal(0, Value(m, "target_restarts_oom_killed_total", "web"));

        // Named on the timeline and in the log: another process of the cgroup, the target survives.
        var oom = await Poll.Until(async () => (await Events(agent)).FirstOrDefault(e => e.GetProperty("kind").GetString() == "oom-killed") is { ValueKind: JsonValueKind.Object } e ? (JsonElement?)e : null, TimeSpan.FromSeconds(10), "an oom-killed event");
        var detail = oom!.Value.GetProperty("detail").GetString()!;
        Assert.Equal("web", oom.Value.GetProperty("subject").GetString());
        Assert.Contains($"1 process of its cgroup {memory.CgroupPath} OOM-killed (limit 96.0 MiB", detail, StringComparison.Ordinal);
        Assert.Contains($"pid {target.Pid} (python3) survives", detail, StringComparison.Ordinal);
        Assert.Contains("\"EventId\":265", agent.Process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain($"pid {killed}", detail, StringComparison.Ordinal); // the survivor is named, not the victim's pid as the target

        // The survivor's metrics go on: same process, its cgroup read on every tick after the kill.
        await Poll.Until(async () => await Metrics(agent) is var s && s.Named("target_process_info").Any(i => i["target"] == "web" && i["pid"] == target.Pid.ToString(CultureInfo.InvariantCulture)) && Value(s, "target_container_memory_usage_bytes", "web") < 96 * MiB ? s : null, TimeSpan.FromSeconds(10), "the survivor still sampled");

        // The trigger captured a snapshot before the kill, showing the cgroup near its limit.
        var artifacts = await Poll.Until(async () => await Artifacts(agent) is { Count: > 0 } a && a.All(x => x.GetProperty("state").GetString() != "running") ? a : null, TimeSpan.FromSeconds(20), "the trigger's snapshot");
        var artifact = artifacts[0];
        Assert.Equal("near-limit", artifact.GetProperty("trigger").GetString());
        Assert.Equal("web", artifact.GetProperty("target").GetString());
        using var snapshot = JsonDocument.Parse(await Get(agent, "/diag/artifacts/" + artifact.GetProperty("id").GetString()));
        var cgroup = snapshot.RootElement.GetProperty("cgroup");
        Assert.Equal(96 * MiB, cgroup.GetProperty("limitBytes").GetInt64());
        Assert.True(cgroup.GetProperty("workingSetBytes").GetInt64() > 0.7 * 96 * MiB, cgroup.ToString());
        Assert.Equal(0, cgroup.GetProperty("oomKills").GetInt64()); // taken before the kill
    }

    [Fact]
    public async Task The_target_oom_killed_in_a_cgroup_removed_before_the_next_tick_is_one_oom_killed_restart()
    {
        // Kubernetes' order: the container is killed, its cgroup removed within milliseconds, and the
        // restarted container gets a fresh cgroup. The agent ticks every 2 s: the kill and the removal
        // both fall between two ticks, so only the kernel's signal lets the agent see the cause.
        var interval = TimeSpan.FromSeconds(2);
        var gen1 = TestCgroup.V1("memory");
        await using var gen2 = TestCgroup.V1("memory");
        try
        {
            gen1.Write("memory.limit_in_bytes", (64 * MiB).ToString(CultureInfo.InvariantCulture));
            var tag = "oomtag" + Guid.NewGuid().ToString("N")[..8];
            await using var first = ChildProcess.Start("sh", ["-c", $"{gen1.Enter}/usr/bin/python3 {Py} {tag}"]);
            await first.WaitForOutput("ready", TimeSpan.FromSeconds(15));
            await using var agent = await AgentProcess.Start(new Dictionary<string, string>
            {
                ["Targets:app:CommandLinePattern"] = $"oom_target\\.py {tag}$",
                ["Sampling:Interval"] = interval.ToString(),
                ["Security:MetricsToken"] = Token,
            });
            await Poll.Until(async () => await Metrics(agent) is var s && s.Named("target_container_info").Any(i => i["target"] == "app" && i["cgroup"] == gen1.CgroupPath) ? s : null, TimeSpan.FromSeconds(20), "the first container's cgroup");

            // Right after a tick: the next one is ~2 s away.
            var lastTick = await LastTick(agent, "app");
            await Poll.Until(async () => await LastTick(agent, "app") > lastTick, TimeSpan.FromSeconds(10), "a fresh tick", TimeSpan.FromMilliseconds(20));
            var tickAt = DateTime.UtcNow;
            await first.WriteLine("grow 200 0");
            await first.WaitForExit(TimeSpan.FromSeconds(20));
            await gen1.DisposeAsync(); // containerd removes the cgroup
            var removedAfter = DateTime.UtcNow - tickAt;
            Assert.True(removedAfter < interval * 0.8, $"the kill and the removal took {removedAfter.TotalMilliseconds:F0} ms: not between two ticks");
            Assert.False(Directory.Exists(gen1.Path));

            await using var second = ChildProcess.Start("sh", ["-c", $"{gen2.Enter}/usr/bin/python3 {Py} {tag}"]);
            var m = await Poll.Until(async () => await Metrics(agent) is var s && Value(s, "target_restarts_total", "app") == 1 ? s : null, TimeSpan.FromSeconds(15), "the restart");
            Assert.Equal(1, Value(m, "target_restarts_oom_killed_total", "app"));
            Assert.Equal(1, Value(m, "target_container_oom_events_total", "app"));
            Assert.Single(m.Named("target_container_info"), i => i["target"] == "app" && i["cgroup"] == gen2.CgroupPath);

            var events = await Events(agent);
            var oom = Assert.Single(events, e => e.GetProperty("kind").GetString() == "oom-killed");
            Assert.StartsWith($"pid {first.Pid} (python3) was OOM-killed: its cgroup {gen1.CgroupPath} reached the memory limit (limit 64.0 MiB", oom.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("\"EventId\":264", agent.Process.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await gen1.DisposeAsync();
        }
    }

    [Fact]
    public async Task Cpu_pressure_in_a_v2_child_rises_and_equals_cpu_pressure()
    {
        await using var cg = TestCgroup.V2();
        await using var hog = await Target(cg);
        await using var hog2 = await Target(cg);
        await using var hog3 = await Target(cg);
        foreach (var h in (ChildProcess[])[hog, hog2, hog3])
        {
            await h.WriteLine("busy"); // three spinning on two cores: someone always waits
        }

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Targets:hog:Pid"] = hog.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.200",
            ["Sampling:CgroupInterval"] = "00:00:00.200", // every tick: the test compares with the files
        });
        var first = await Poll.Until(async () => Value(await agent.Metrics(), "target_container_pressure_cpu_waiting_seconds_total", "hog"), TimeSpan.FromSeconds(15), "cpu pressure exported");
        await Poll.Until(async () => Value(await agent.Metrics(), "target_container_pressure_cpu_waiting_seconds_total", "hog") > first + 0.5 ? true : (bool?)null, TimeSpan.FromSeconds(30), "half a second more of CPU stall");

        foreach (var h in (ChildProcess[])[hog, hog2, hog3])
        {
            h.Signal(19); // SIGSTOP: nothing runnable, the total stands still
        }

        var last = string.Empty;
        await Poll.Until(
            async () =>
            {
                var agentSeconds = Value(await agent.Metrics(), "target_container_pressure_cpu_waiting_seconds_total", "hog");
                var file = cg.PressureTotal("cpu.pressure", "some");
                last = $"file {file} µs, agent {agentSeconds} s";
                return agentSeconds is { } a && Math.Abs(a - (file / 1e6)) < 1e-9;
            },
            TimeSpan.FromSeconds(20),
            "the agent's stall total to equal cpu.pressure");
        Assert.True(cg.PressureTotal("cpu.pressure", "some") > 500_000, last);
    }

    [Fact]
    public async Task In_a_pod_with_private_cgroup_namespaces_the_app_is_found_through_its_own_root()
    {
        // The pod: the app in pod/app with a cgroup and mount namespace of its own and cgroup2 mounted
        // at its /sys/fs/cgroup, as a container runtime does; the agent in the sibling pod/agent with a
        // cgroup namespace of its own, so that it sees the app's cgroup as /../app.
        await using var pod = TestCgroup.V2();
        var app = pod.Child("app");
        var agentCgroup = pod.Child("agent");
        await using var target = ChildProcess.Start("sh", ["-c", $"{app.Enter}unshare --mount --cgroup sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec /usr/bin/python3 {Py}'"]);
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(15));
        await target.WriteLine("busy");
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string>
            {
                ["Targets:app:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
                ["Sampling:Interval"] = "00:00:00.250",
                ["Sampling:CgroupInterval"] = "00:00:00.250",
            },
            launcher: ["sh", "-c", $"echo $$ > {agentCgroup.Path}/cgroup.procs && exec unshare --cgroup \"$0\" \"$@\""]);
        Assert.Equal("0::/../app", Relative(agent.Process.Pid, target.Pid)); // what the agent reads: outside its own namespace

        var m = await Poll.Until(async () => await agent.Metrics() is var s && s.Named("target_container_info").Any(i => i["target"] == "app") ? s : null, TimeSpan.FromSeconds(20), "the app's cgroup");
        var info = Assert.Single(m.Named("target_container_info"), i => i["target"] == "app");
        Assert.Equal(("/../app", "target_root"), (info["cgroup"], info["route"]));
        await Poll.Until(
            async () => Value(await agent.Metrics(), "target_container_pressure_cpu_waiting_seconds_total", "app") is { } v && v > 0 ? true : (bool?)null,
            TimeSpan.FromSeconds(20),
            "the app's cpu.pressure read through /proc/<pid>/root");
        // The v1 memory controller of this hybrid machine is out of both views: omitted, never 0, and said once.
        Assert.DoesNotContain(m, s => s.Name.StartsWith("target_container_memory_", StringComparison.Ordinal) && s["target"] == "app");
        Assert.Contains("cgroup controller not reachable", agent.Process.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The target's unified line as a process in the agent's cgroup namespace reads it.</summary>
    private static string Relative(int agentPid, int targetPid)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("nsenter", ["-t", agentPid.ToString(CultureInfo.InvariantCulture), "-C", "--", "cat", $"/proc/{targetPid}/cgroup"]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Split('\n').Single(l => l.StartsWith("0::", StringComparison.Ordinal));
    }

    private static async Task<List<Series>> Metrics(AgentProcess agent) => Exposition.Parse(await Get(agent, "/metrics"));

    private static async Task<List<JsonElement>> Events(AgentProcess agent)
    {
        using var doc = JsonDocument.Parse(await Get(agent, "/api/status"));
        return [.. doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The time of the target's newest history point: when the last tick that saw it ran.</summary>
    private static async Task<long> LastTick(AgentProcess agent, string target)
    {
        using var doc = JsonDocument.Parse(await Get(agent, "/api/status"));
        var t = doc.RootElement.GetProperty("targets").EnumerateArray().Single(x => x.GetProperty("name").GetString() == target);
        var times = t.GetProperty("history").GetProperty("time");
        return times.GetArrayLength() == 0 ? 0 : times[times.GetArrayLength() - 1].GetInt64();
    }

    private static Task<List<JsonElement>> Artifacts(AgentProcess agent) => agent.Artifacts(Token);

    private static Task<string> Get(AgentProcess agent, string path) => agent.Get(path, Token);
}
