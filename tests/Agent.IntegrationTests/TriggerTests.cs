using System.Globalization;
using System.Net;
using System.Text.Json;
using Agent.Configuration;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// Triggers on the built agent against real targets: a Python process that leaks at a known rate
/// and says itself how much and when; the agent's own /diag/triggers and /metrics as observed.
/// </summary>
public sealed class TriggerTests : IDisposable
{
    private const string Token = "trigger-test-token-0123456789";
    private const long MiB = 1 << 20;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly string _dir = Directory.CreateTempSubdirectory("triggers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_leak_of_2_MiB_per_second_fires_the_growth_trigger_once_and_not_again_in_its_cooldown()
    {
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "leaker.py"), "2"]);
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(10));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = Interval.ToString(),
            ["Security:MetricsToken"] = Token,
            ["Diagnostics:Directory"] = Path.Combine(_dir, "artifacts"),
            ["Triggers:leak:Metric"] = "target_process_resident_memory_bytes",
            ["Triggers:leak:GrowthAbove"] = "20MiB",
            ["Triggers:leak:Window"] = "00:00:15",
            ["Triggers:leak:Actions"] = "snapshot",
        });

        // Idle while the target holds still.
        await Poll.Until(async () => (await Trigger(agent, "leak")) is { } t && t.GetProperty("value").ValueKind == JsonValueKind.Number, TimeSpan.FromSeconds(15), "trigger evaluated");
        var idle = await Trigger(agent, "leak");
        Assert.Equal("idle", idle!.Value.GetProperty("state").GetString());
        Assert.Equal(0, idle.Value.GetProperty("firings").GetInt64());

        var rssBefore = Suite.Rss(target.Pid);
        await target.WriteLine("go");
        var fired = await Poll.Until(
            async () => await Trigger(agent, "leak") is { } t && t.GetProperty("firings").GetInt64() >= 1 ? t : (JsonElement?)null,
            TimeSpan.FromSeconds(90),
            "leak trigger fired");
        var firedAt = fired!.Value.GetProperty("lastFiring").GetDateTimeOffset();

        // The target's own account: when its leak passed 20 MiB. The trigger fires on a tick after
        // that (RSS also holds the interpreter's small allocations: allow 1 MiB early), and within the
        // 15 s window + 2 sampling intervals of 'go' (the bound; if the loaded machine slowed
        // the leak itself past the window, within 2 intervals of the crossing instead).
        // The trigger may fire up to 1 MiB early (RSS also holds the interpreter's own allocations):
        // wait until the target has told of its 20th MiB before reading its account.
        await Poll.Until(() => Task.FromResult(Grown(target).Any(g => g.Bytes > 20 * MiB)), TimeSpan.FromSeconds(30), "the target reported 20 MiB leaked");
        var grown = Grown(target);
        var goAt = grown[0].At;
        var crossed = grown.First(g => g.Bytes > 20 * MiB).At;
        var almost = grown.First(g => g.Bytes >= 19 * MiB).At;
        var latest = crossed - goAt > TimeSpan.FromSeconds(15) ? crossed + (2 * Interval) : goAt + TimeSpan.FromSeconds(15) + (2 * Interval);
        var timeline = $"go {goAt:HH:mm:ss.fff}, 19 MiB {almost:HH:mm:ss.fff}, 20 MiB {crossed:HH:mm:ss.fff}, fired {firedAt:HH:mm:ss.fff}";
        Assert.True(firedAt >= almost - Interval, "fired before the leak reached 19 MiB: " + timeline);
        Assert.True(firedAt <= latest + TimeSpan.FromSeconds(0.5), "fired later than the window + 2 intervals: " + timeline);

        // Another full window of leaking (by the target's own count): still one firing, cooling down.
        var until = grown[^1].Bytes + (40 * MiB);
        await Poll.Until(
            async () =>
            {
                var t = await Trigger(agent, "leak");
                Assert.Equal(1, t!.Value.GetProperty("firings").GetInt64());
                return Grown(target)[^1].Bytes >= until;
            },
            TimeSpan.FromSeconds(90),
            "target leaked 40 MiB more",
            TimeSpan.FromMilliseconds(250));

        // Exactly one artifact, from the trigger, and it shows the leak: the snapshot's RSS
        // (smaps_rollup) is at least 19 MiB above what /proc/<pid>/statm said before 'go'.
        var artifacts = await Artifacts(agent);
        var artifact = Assert.Single(artifacts);
        Assert.Equal("leak", artifact.GetProperty("trigger").GetString());
        Assert.Equal("snapshot", artifact.GetProperty("kind").GetString());
        Assert.Equal("done", artifact.GetProperty("state").GetString());
        using var snapshot = JsonDocument.Parse(await Get(agent, "/diag/artifacts/" + artifact.GetProperty("id").GetString()));
        Assert.Equal(target.Pid, snapshot.RootElement.GetProperty("pid").GetInt32());
        Assert.True(snapshot.RootElement.GetProperty("memory").GetProperty("rss").GetInt64() - rssBefore >= 19 * MiB, snapshot.RootElement.GetProperty("memory").ToString());

        var after = (await Trigger(agent, "leak"))!.Value;
        Assert.Equal("cooling_down", after.GetProperty("state").GetString());
        Assert.True(after.GetProperty("value").GetDouble() > 20 * MiB);
        Assert.Equal(firedAt + TimeSpan.FromMinutes(10), after.GetProperty("nextPossibleFiring").GetDateTimeOffset());
        var metrics = Exposition.Parse(await Get(agent, "/metrics"));
        Assert.Equal(1, metrics.Value("agent_trigger_firings_total", "trigger", "leak"));
        Assert.Equal(2, metrics.Value("agent_trigger_state", "trigger", "leak"));
        var captures = metrics.Named("agent_diagnostics_captures_total").Where(c => c["trigger"] == "leak").ToList();
        Assert.Equal(1, captures.Sum(c => c.Value));
        Assert.Equal(1, captures.Single(c => c["result"] == "done" && c["kind"] == "snapshot" && c["target"] == "app").Value);
        Assert.Contains("Trigger leak fired", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trigger_whose_captures_are_refused_for_disk_space_keeps_the_agent_serving_and_backs_off()
    {
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "burner.py"), "8", "20", "0"]);
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(10));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.200",
            ["Security:MetricsToken"] = Token,
            ["Diagnostics:Directory"] = Path.Combine(_dir, "artifacts"),
            // No filesystem here has an exabyte free: every capture is refused as if the disk were full.
            ["Diagnostics:MinFreeBytes"] = (1L << 60).ToString(CultureInfo.InvariantCulture),
            ["Triggers:threads:Metric"] = "target_process_threads",
            ["Triggers:threads:Above"] = "10",
            ["Triggers:threads:Cooldown"] = "00:00:00",
            ["Triggers:threads:MaxPerHour"] = "60",
            ["Triggers:threads:Actions"] = "snapshot,stacks",
        });

        var failed = await Poll.Until(
            async () => await Trigger(agent, "threads") is { } t && t.GetProperty("consecutiveFailures").GetInt32() >= 1 ? t : (JsonElement?)null,
            TimeSpan.FromSeconds(30),
            "first firing failed");
        var firedAt = failed!.Value.GetProperty("lastFiring").GetDateTimeOffset();

        // The condition stays true on every 200 ms tick; the back-off (1 min) holds further firings.
        // Meanwhile every endpoint answers. Observed for 25 intervals.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Poll.Until(
            async () =>
            {
                Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
                Assert.Equal(1, (await Trigger(agent, "threads"))!.Value.GetProperty("firings").GetInt64());
                return watch.Elapsed >= TimeSpan.FromSeconds(5);
            },
            TimeSpan.FromSeconds(60),
            "25 intervals observed",
            TimeSpan.FromMilliseconds(100));

        var t = (await Trigger(agent, "threads"))!.Value;
        Assert.Equal("cooling_down", t.GetProperty("state").GetString());
        Assert.True(t.GetProperty("nextPossibleFiring").GetDateTimeOffset() >= firedAt + TimeSpan.FromMinutes(1));
        Assert.False(agent.Process.HasExited);
        Assert.Empty(await Artifacts(agent));
        var captures = Exposition.Parse(await Get(agent, "/metrics")).Named("agent_diagnostics_captures_total").Where(c => c["trigger"] == "threads").ToList();
        Assert.Equal(2, captures.Where(c => c["result"] == "refused").Sum(c => c.Value)); // snapshot and stacks of the one firing
        Assert.Equal(0, captures.Where(c => c["result"] != "refused").Sum(c => c.Value));
        Assert.Contains("Trigger threads: capture failed", agent.Process.Stderr, StringComparison.Ordinal);
        Assert.Contains("low_disk_space", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_trigger_fires_once_per_restart_and_max_per_hour_caps_it_at_3()
    {
        var pidFile = Path.Combine(_dir, "app.pid");
        var processes = new List<ChildProcess>();
        try
        {
            processes.Add(await Sleeper(pidFile));
            await using var uncapped = await AgentProcess.Start(RestartSettings(pidFile, "uncapped", maxPerHour: 10));
            await using var capped = await AgentProcess.Start(RestartSettings(pidFile, "capped", maxPerHour: 3));
            foreach (var agent in new[] { uncapped, capped })
            {
                await Poll.Until(async () => (await Trigger(agent, "restart")) is { } t && t.GetProperty("value").ValueKind == JsonValueKind.Number, TimeSpan.FromSeconds(15), "restart trigger evaluated");
            }

            for (var restart = 1; restart <= 5; restart++)
            {
                // The new process first, then the pid file, then the old one goes: the agents re-read
                // the pid file when their target is gone.
                var next = await Sleeper(pidFile);
                processes[^1].Kill();
                processes.Add(next);
                foreach (var (agent, cap) in new[] { (uncapped, 10), (capped, 3) })
                {
                    await Poll.Until(async () => (await agent.Metrics()).Value("target_restarts_total") == restart, TimeSpan.FromSeconds(15), $"restart {restart} seen");
                    // The trigger evaluated that tick (it runs right after the snapshot is published), and
                    // the firing's capture finished before the next restart (one capture per target at a time).
                    var expected = Math.Min(restart, cap);
                    await Poll.Until(
                        async () => (await Trigger(agent, "restart"))!.Value is var t && t.GetProperty("firings").GetInt64() >= expected && !t.GetProperty("capturing").GetBoolean(),
                        TimeSpan.FromSeconds(30),
                        $"restart {restart} evaluated and captured");
                }
            }

            var restartPids = processes.Skip(1).Select(p => p.Pid).ToList();
            foreach (var (agent, expected) in new[] { (uncapped, 5), (capped, 3) })
            {
                var artifacts = await Artifacts(agent);
                // The agent's own log says why a capture was refused or failed.
                Assert.True(expected == artifacts.Count, $"{artifacts.Count} artifacts, {expected} expected; the agent said:\n{agent.Process.Stderr}");
                Assert.Equal(expected, (await Trigger(agent, "restart"))!.Value.GetProperty("firings").GetInt64());
                // /metrics is served from a 300 ms response cache: right after the last capture it may
                // still hold the body from before it (4 of 5 captures seen once, with 5 artifacts listed).
                await Poll.Until(
                    async () => Exposition.Parse(await Get(agent, "/metrics")) is var m
                        && m.Named("agent_diagnostics_captures_total").Where(c => c["trigger"] == "restart" && c["result"] == "done").Sum(c => c.Value) >= expected
                        && m.Value("agent_trigger_firings_total", "trigger", "restart") >= expected,
                    TimeSpan.FromSeconds(10),
                    "the captures and firings counted in /metrics");
                var metrics = Exposition.Parse(await Get(agent, "/metrics"));
                Assert.Equal(expected, metrics.Named("agent_diagnostics_captures_total").Where(c => c["trigger"] == "restart" && c["result"] == "done").Sum(c => c.Value));
                Assert.Equal(expected, metrics.Value("agent_trigger_firings_total", "trigger", "restart"));

                // Each snapshot is of the NEW process of its restart, in order.
                var pids = new List<int>();
                foreach (var a in artifacts.OrderBy(a => a.GetProperty("createdUtc").GetDateTimeOffset()))
                {
                    using var snapshot = JsonDocument.Parse(await Get(agent, "/diag/artifacts/" + a.GetProperty("id").GetString()));
                    pids.Add(snapshot.RootElement.GetProperty("pid").GetInt32());
                }

                Assert.Equal(restartPids.Take(expected), pids);
                Assert.Contains($"which replaced pid {processes[0].Pid}", agent.Process.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var p in processes)
            {
                await p.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("Target:ProcessName", "python3", "Triggers:leak:Actions", "dump")]
    [InlineData("Sampling:Interval", "00:00:10", "Triggers:leak:Window", "snapshot")]
    [InlineData("Triggers:leak:Metric", "target_process_rss_bytes", "Triggers:leak:Metric", "snapshot")]
    public async Task A_trigger_that_cannot_work_stops_startup_with_exit_2_naming_the_key(string key, string value, string named, string actions)
    {
        var settings = new Dictionary<string, string>
        {
            ["Triggers:leak:Metric"] = "target_process_resident_memory_bytes",
            ["Triggers:leak:GrowthAbove"] = "20MiB",
            ["Triggers:leak:Window"] = "00:00:15",
            ["Triggers:leak:Actions"] = actions,
            [key] = value,
        };
        await using var agent = await AgentProcess.Start(settings, waitHealthy: false);

        var code = await agent.Process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        Assert.Contains($"configuration error: {named}:", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_diagnostics_off_diag_triggers_does_not_exist_and_with_them_on_it_needs_the_token()
    {
        await using var open = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Triggers:t:Metric"] = "target_process_threads",
            ["Triggers:t:Above"] = "1000",
        });
        await using var guarded = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Security:DiagnosticsToken"] = Token,
            ["Diagnostics:Directory"] = Path.Combine(_dir, "artifacts"),
            ["Triggers:t:Metric"] = "target_process_threads",
            ["Triggers:t:Above"] = "1000",
        });

        Assert.Equal(HttpStatusCode.NotFound, (await open.Http.GetAsync("/diag/triggers")).StatusCode);
        await Poll.Until(() => open.Process.Stderr.Contains("1 triggers are configured but cannot capture anything: diagnostics are off", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "warning logged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await guarded.Http.GetAsync("/diag/triggers")).StatusCode);
        var body = await Get(guarded, "/diag/triggers");
        Assert.Equal("t", JsonDocument.Parse(body).RootElement[0].GetProperty("name").GetString());
        Assert.DoesNotContain(Token, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_metric_a_trigger_can_watch_is_one_the_agent_exports()
    {
        await using var target = await DotnetTarget.Start();
        await using var limits = Cgroups.WithLimits(target.Pid); // a memory and a CPU limit: their ratios exist
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.500",
        });
        await target.Command("gc 2");

        // The runtime publishes no exception total until one is thrown: that name is checked
        // against the documented table instead.
        var live = TriggerMetricCatalog.Names.Where(n => n != "target_dotnet_exceptions_total" && !n.StartsWith("target_http_", StringComparison.Ordinal)).ToList(); // traffic: TrafficTests (a Kestrel target)
        var missing = new List<string>();
        await Poll.Until(
            async () =>
            {
                var names = (await agent.Metrics()).Select(s => s.Name).ToHashSet();
                missing = live.Where(n => !names.Contains(n)).ToList();
                return missing.Count == 0;
            },
            TimeSpan.FromSeconds(30),
            "every trigger metric exported");
        Assert.Empty(missing);
        var readme = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "README.md"));
        Assert.All(TriggerMetricCatalog.Names, n => Assert.Contains($"| `{n}` |", readme, StringComparison.Ordinal));
    }

    private Dictionary<string, string> RestartSettings(string pidFile, string name, int maxPerHour) => new()
    {
        ["Target:PidFile"] = pidFile,
        ["Sampling:Interval"] = "00:00:00.500",
        ["Security:DiagnosticsToken"] = Token, // /metrics stays open, /diag needs the token
        ["Diagnostics:Directory"] = Path.Combine(_dir, name),
        ["Triggers:restart:Metric"] = "target_restarts_total",
        ["Triggers:restart:Above"] = "0",
        ["Triggers:restart:Cooldown"] = "00:00:00",
        ["Triggers:restart:MaxPerHour"] = maxPerHour.ToString(CultureInfo.InvariantCulture),
        ["Triggers:restart:Actions"] = "snapshot",
    };

    private static async Task<ChildProcess> Sleeper(string pidFile)
    {
        var p = ChildProcess.Start("/usr/bin/python3", ["-c", "import time; print('ready', flush=True); time.sleep(3600)"]);
        await p.WaitForOutput("ready", TimeSpan.FromSeconds(10));
        await File.WriteAllTextAsync(pidFile + ".tmp", p.Pid.ToString(CultureInfo.InvariantCulture));
        File.Move(pidFile + ".tmp", pidFile, overwrite: true);
        return p;
    }

    private static Task<List<JsonElement>> Artifacts(AgentProcess agent) => agent.Artifacts(Token);

    private static async Task<JsonElement?> Trigger(AgentProcess agent, string name)
    {
        using var doc = JsonDocument.Parse(await Get(agent, "/diag/triggers"));
        foreach (var t in doc.RootElement.EnumerateArray())
        {
            if (t.GetProperty("name").GetString() == name)
            {
                return t.Clone();
            }
        }

        return null;
    }

    private static Task<string> Get(AgentProcess agent, string path) => agent.Get(path, Token);

    private static List<(long Bytes, DateTimeOffset At)> Grown(ChildProcess target) =>
        [.. target.Stdout.Split('\n')
            .Where(l => l.StartsWith("grown ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' '))
            .Select(p => (long.Parse(p[1], CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(p[2], CultureInfo.InvariantCulture) * 1000))))];
}
