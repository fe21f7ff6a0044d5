using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;
using Agent.Triggers;

namespace Agent.IntegrationTests;

/// <summary>
/// Triggers on the built agent against real targets: a Python process that leaks at a known rate
/// and says itself how much and when; the agent's own /diag/triggers and /metrics as observed.
/// </summary>
public sealed class TriggerTests
{
    private const string Token = "trigger-test-token-0123456789";
    private const long MiB = 1 << 20;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

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

        var after = (await Trigger(agent, "leak"))!.Value;
        Assert.Equal("cooling_down", after.GetProperty("state").GetString());
        Assert.True(after.GetProperty("value").GetDouble() > 20 * MiB);
        Assert.Equal(firedAt + TimeSpan.FromMinutes(10), after.GetProperty("nextPossibleFiring").GetDateTimeOffset());
        var metrics = Exposition.Parse(await Get(agent, "/metrics"));
        Assert.Equal(1, metrics.Value("agent_trigger_firings_total", "trigger", "leak"));
        Assert.Equal(2, metrics.Value("agent_trigger_state", "trigger", "leak"));
        Assert.Contains("Trigger leak fired", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trigger_whose_captures_fail_keeps_the_agent_serving_and_backs_off()
    {
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "burner.py"), "8", "20", "0"]);
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(10));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.200",
            ["Security:MetricsToken"] = Token,
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
        Assert.Contains("Trigger threads: capture failed", agent.Process.Stderr, StringComparison.Ordinal);
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
    public async Task Without_a_token_diag_triggers_does_not_exist_and_with_one_it_needs_it()
    {
        await using var open = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Triggers:t:Metric"] = "target_process_threads",
            ["Triggers:t:Above"] = "1000",
        });
        await using var guarded = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Security:MetricsToken"] = Token,
            ["Triggers:t:Metric"] = "target_process_threads",
            ["Triggers:t:Above"] = "1000",
        });

        Assert.Equal(HttpStatusCode.NotFound, (await open.Http.GetAsync("/diag/triggers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await guarded.Http.GetAsync("/diag/triggers")).StatusCode);
        var body = await Get(guarded, "/diag/triggers");
        Assert.Equal("t", JsonDocument.Parse(body).RootElement[0].GetProperty("name").GetString());
        Assert.DoesNotContain(Token, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_metric_a_trigger_can_watch_is_one_the_agent_exports()
    {
        await using var target = await DotnetTarget.Start();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.500",
        });
        await target.Command("gc 2");

        // The runtime publishes no exception total until one is thrown: that name is checked
        // against the documented table instead.
        var live = TriggerMetricCatalog.Names.Where(n => n != "target_dotnet_exceptions_total").ToList();
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

    private static async Task<string> Get(AgentProcess agent, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await agent.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static List<(long Bytes, DateTimeOffset At)> Grown(ChildProcess target) =>
        [.. target.Stdout.Split('\n')
            .Where(l => l.StartsWith("grown ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' '))
            .Select(p => (long.Parse(p[1], CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(p[2], CultureInfo.InvariantCulture) * 1000))))];
}
