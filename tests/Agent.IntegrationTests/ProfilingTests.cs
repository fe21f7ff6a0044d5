using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// CPU profiles of a real .NET target whose CPU goes 3:1 to two known methods, served as pprof and
/// read back by an independent decoder (<c>go tool pprof</c>, Debian's golang-go), against the
/// target's own account of where its time went.
/// </summary>
public sealed partial class ProfilingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Hot = "CpuBurner.HotLoop";
    private const string Warm = "CpuBurner.WarmLoop";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"agent-profile-test-{Guid.NewGuid():N}");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_on_demand_window_ranks_the_hot_method_first_and_the_warm_one_below_in_go_tool_pprof()
    {
        await using var target = await DotnetTarget.Start();
        await target.Command("burn");
        await using var agent = await StartAgent(target.Pid, new() { ["Profiling:Enabled"] = "false" });
        using var http = DiagnosticsTests.Authorized(agent);

        var before = await target.Command("state");
        var bytes = await FirstProfile(http, "/diag/profile?target=app&seconds=3", "a 200 from /diag/profile once the agent sees the target");
        var after = await target.Command("state");

        var top = await PprofTop(bytes);
        AssertHotAboveWarm(top, after["hotms"] - before["hotms"], after["warmms"] - before["warmms"]);
    }

    [Fact]
    public async Task Kept_windows_are_served_merged_and_bad_requests_are_refused_with_the_reason()
    {
        await using var target = await DotnetTarget.Start();
        await target.Command("burn");
        var before = await target.Command("state");
        await using var agent = await StartAgent(target.Pid, new() { ["Profiling:Enabled"] = "true", ["Profiling:Interval"] = "00:00:10", ["Profiling:Window"] = "00:00:02" });
        using var http = DiagnosticsTests.Authorized(agent);

        var bytes = await FirstProfile(http, "/diag/profile?target=app&since=15m", "a kept window (one every 10 s) served by since=15m");
        var after = await target.Command("state");
        AssertHotAboveWarm(await PprofTop(bytes), after["hotms"] - before["hotms"], after["warmms"] - before["warmms"]);

        foreach (var (query, status) in new[]
        {
            ("seconds=0", HttpStatusCode.BadRequest),
            ("seconds=abc", HttpStatusCode.BadRequest),
            ("seconds=100000", HttpStatusCode.BadRequest),
            ("since=99m", HttpStatusCode.BadRequest),
            ("since=5x", HttpStatusCode.BadRequest),
            ("since=15m&seconds=2", HttpStatusCode.BadRequest),
        })
        {
            using var r = await http.GetAsync($"/diag/profile?target=app&{query}");
            Assert.True(r.StatusCode == status, $"{query}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            Assert.Contains("\"reason\"", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var unknown = await http.GetAsync("/diag/profile?target=nope&seconds=1");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = await agent.Http.GetAsync("/diag/profile?target=app&since=15m");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_trigger_with_Actions_profile_stores_the_kept_windows_and_one_during_the_firing_as_pprof()
    {
        await using var target = await DotnetTarget.Start();
        await target.Command("burn");
        var before = await target.Command("state");
        await using var agent = await StartAgent(target.Pid, new()
        {
            ["Profiling:Enabled"] = "true",
            ["Profiling:Interval"] = "00:00:10",
            ["Profiling:Window"] = "00:00:02",
            // Fires once the target runs more than one thread (it runs ~10): at once, within MaxPerHour.
            ["Triggers:busy:Metric"] = "target_process_threads",
            ["Triggers:busy:Above"] = "1",
            ["Triggers:busy:For"] = "00:00:03",
            ["Triggers:busy:Actions"] = "profile",
        });
        using var http = DiagnosticsTests.Authorized(agent);

        var id = await Poll.Until(
            async () =>
            {
                var list = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/diag/artifacts")).RootElement;
                return list.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "profile" && e.GetProperty("trigger").GetString() == "busy")
                    .Select(e => e.GetProperty("id").GetString()).FirstOrDefault();
            },
            TimeSpan.FromSeconds(60),
            "a profile artifact of trigger busy");
        var done = await DiagnosticsTests.WaitDone(http, id, 60);
        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.Equal("pprof", done.GetProperty("format").GetString());
        var bytes = await http.GetByteArrayAsync($"/diag/artifacts/{id}");
        var after = await target.Command("state");
        AssertHotAboveWarm(await PprofTop(bytes), after["hotms"] - before["hotms"], after["warmms"] - before["warmms"]);
    }

    [Fact]
    public async Task The_status_page_draws_the_kept_profile_as_a_flame_graph_the_hot_method_widest_in_a_real_browser()
    {
        await using var target = await DotnetTarget.Start();
        await target.Command("burn");
        var before = await target.Command("state");
        await using var agent = await StartAgent(target.Pid, new() { ["Profiling:Enabled"] = "true", ["Profiling:Interval"] = "00:00:10", ["Profiling:Window"] = "00:00:02" });
        await Poll.Until(
            async () => System.Text.Json.JsonDocument.Parse(await agent.Http.GetStringAsync("/api/status")).RootElement.GetProperty("targets")[0].TryGetProperty("profiles", out var p)
                && p.ValueKind == System.Text.Json.JsonValueKind.Array,
            TimeSpan.FromSeconds(60),
            "a kept window on /api/status");
        var after = await target.Command("state");

        var dom = await Chromium.DumpDom($"http://127.0.0.1:{agent.Port}/");
        var artifacts = Path.Combine(Repo.Results, "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "status-page.flame.dom.html"), dom);

        // The boxes as chromium parsed them: each function's widest box, in percent of the figure.
        var figure = Regex.Match(dom, "<figure class=\"flame\" data-flame=\"last\">.*?</figure>", RegexOptions.Singleline, TimeSpan.FromSeconds(5));
        Assert.True(figure.Success, "a flame graph of the last window on the page");
        var widths = FlameBox().Matches(figure.Value)
            .GroupBy(m => m.Groups["fn"].Value)
            .ToDictionary(g => g.Key, g => g.Max(m => double.Parse(m.Groups["share"].Value, CultureInfo.InvariantCulture)));
        output.WriteLine(string.Join("\n", widths.OrderByDescending(w => w.Value).Select(w => $"{w.Value,7:0.0} %  {w.Key}")));
        Assert.True(widths.ContainsKey(Hot) && widths.ContainsKey(Warm), $"boxes for {Hot} and {Warm}");
        var (hot, warm) = (widths[Hot], widths[Warm]);
        Assert.True(hot > warm, $"{Hot} {hot} % must be wider than {Warm} {warm} %");
        var ownRatio = (double)(after["hotms"] - before["hotms"]) / Math.Max(1, after["warmms"] - before["warmms"]);
        Assert.InRange(hot / warm, ownRatio / 2, ownRatio * 2);
        Assert.DoesNotContain("<script", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_python_target_profiled_through_its_hook_ranks_its_hot_function_first_and_a_sleeping_thread_nowhere()
    {
        await using var app = await PythonHookApp.Start("cpu_burn.py", PythonHookApp.Install(_directory));
        await PythonHookApp.WaitListening(app.Pid);
        await using var agent = await StartAgent(app.Pid, new() { ["Profiling:Enabled"] = "false" });
        using var http = DiagnosticsTests.Authorized(agent);

        using var before = System.Text.Json.JsonDocument.Parse(await PythonHookApp.Command(app, "state", "{"));
        var bytes = await FirstProfile(http, "/diag/profile?target=app&seconds=3", "a 200 from /diag/profile once the agent sees the Python target");
        using var after = System.Text.Json.JsonDocument.Parse(await PythonHookApp.Command(app, "state", "{"));

        long Own(string key) => after.RootElement.GetProperty(key).GetInt64() - before.RootElement.GetProperty(key).GetInt64();
        var top = await PprofTop(bytes);
        AssertHotAboveWarm(top, Own("hotms"), Own("warmms"), "hot", "warm");
        // A thread that only sleeps, and the main thread blocked on stdin, spend no CPU: a CPU
        // profile shows neither (a wall-clock sampler would give each as much as the burner).
        Assert.DoesNotContain(top, t => t.Name is "sleeper" or "<module>" && t.Flat >= 1);
    }

    [Fact]
    public async Task Agent_check_says_per_target_whether_and_through_what_it_can_be_profiled()
    {
        await using var dotnet = await DotnetTarget.Start();
        await using var python = await PythonHookApp.Start("cpu_burn.py", PythonHookApp.Install(_directory));
        await PythonHookApp.WaitListening(python.Pid);
        await using var bare = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "cpu_burn.py")]);
        await bare.WaitForOutput("ready", TimeSpan.FromSeconds(30));

        var check = await AgentCheck.Run(["check", "--output=json", $"--Targets:net:Pid={dotnet.Pid}", $"--Targets:py:Pid={python.Pid}", $"--Targets:bare:Pid={bare.Pid}"]);
        System.Text.Json.JsonElement Profile(string t) => check.Json.GetProperty("targets").EnumerateArray().Single(e => e.GetProperty("target").GetString() == t)
            .GetProperty("capabilities").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "cpu_profile");

        Assert.Equal("Available", Profile("net").GetProperty("status").GetString());
        Assert.Contains(".NET diagnostic socket", Profile("net").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Available", Profile("py").GetProperty("status").GetString());
        Assert.Contains("Python hook", Profile("py").GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Without the hook: not a failure of its own; the python_hook entry carries the advice.
        Assert.Equal("NotApplicable", Profile("bare").GetProperty("status").GetString());
        Assert.Contains("needs python_hook", Profile("bare").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, check.ExitCode);
    }

    [Fact]
    public async Task Kept_windows_are_pushed_to_a_pyroscope_ingest_with_the_targets_labels_and_credentials()
    {
        var received = Path.Combine(_directory, "ingest");
        var port = Net.FreePort();
        await using var receiver = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "ingest_receiver.py"), port.ToString(CultureInfo.InvariantCulture), received]);
        await receiver.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        await using var target = await DotnetTarget.Start();
        await target.Command("burn");
        var before = await target.Command("state");
        await using var agent = await StartAgent(target.Pid, new()
        {
            ["Profiling:Enabled"] = "true",
            ["Profiling:Interval"] = "00:00:10",
            ["Profiling:Window"] = "00:00:02",
            ["Profiling:PushUrl"] = $"http://pusher:s3cret@127.0.0.1:{port}/",
        });

        var pprof = await Poll.Until(() => Task.FromResult(Directory.Exists(received) ? Directory.GetFiles(received, "*.pprof").FirstOrDefault() : null), TimeSpan.FromSeconds(60), "a pushed window");
        var after = await target.Command("state");
        using var meta = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(pprof, ".json")));
        var query = meta.RootElement.GetProperty("query");
        Assert.Equal("app.cpu{host=" + Environment.MachineName + ",runtime=dotnet}", query.GetProperty("name").GetString());
        Assert.Equal("pprof", query.GetProperty("format").GetString());
        var (from, until) = (long.Parse(query.GetProperty("from").GetString()!, CultureInfo.InvariantCulture), long.Parse(query.GetProperty("until").GetString()!, CultureInfo.InvariantCulture));
        Assert.InRange(until - from, 1, 5);
        Assert.InRange(from, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("pusher:s3cret")), meta.RootElement.GetProperty("authorization").GetString());
        AssertHotAboveWarm(await PprofTop(await File.ReadAllBytesAsync(pprof)), after["hotms"] - before["hotms"], after["warmms"] - before["warmms"]);
        Assert.DoesNotContain("s3cret", agent.Process.Stderr, StringComparison.Ordinal);

        // The agent's count of pushes is the receiver's (read between two equal listings of its files).
        await Poll.Until(
            async () =>
            {
                var files = Directory.GetFiles(received, "*.pprof").Length;
                var pushes = Pushes(await agent.Metrics());
                return Directory.GetFiles(received, "*.pprof").Length == files && pushes == (files, 0, 0);
            },
            TimeSpan.FromSeconds(30),
            "agent_profile_pushes_total equal to the windows received");
    }

    [Fact]
    public async Task An_unreachable_pyroscope_never_stops_the_windows_and_is_said_once()
    {
        await using var target = await DotnetTarget.Start();
        await target.Command("burn");
        await using var agent = await StartAgent(target.Pid, new()
        {
            ["Profiling:Enabled"] = "true",
            ["Profiling:Interval"] = "00:00:10",
            ["Profiling:Window"] = "00:00:02",
            ["Profiling:PushUrl"] = $"http://127.0.0.1:{Net.FreePort()}/", // nothing listens
        });
        using var http = DiagnosticsTests.Authorized(agent);

        // Two loop windows kept (one every 10 s) while every push is refused.
        await Poll.Until(
            async () => (await http.GetAsync("/diag/profile?target=app&since=15m")).StatusCode == HttpStatusCode.OK
                && PushLines(agent) >= 1
                && agent.Process.Stderr.Contains("refused", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(60),
            "a kept window and the refused push logged");
        await Poll.Until(
            async () => System.Text.Json.JsonDocument.Parse(await agent.Http.GetStringAsync("/api/status")).RootElement.GetProperty("targets")[0].GetProperty("profiles")
                .EnumerateArray().Any(p => p.GetProperty("key").GetString() == "kept"),
            TimeSpan.FromSeconds(60),
            "a second window kept after the failed push");
        Assert.Equal(1, PushLines(agent)); // rate-limited: said once
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
        var (pushed, failed, _) = Pushes(await agent.Metrics());
        Assert.Equal(0, pushed);
        Assert.True(failed >= 1, $"agent_profile_pushes_total{{result=\"failed\"}} {failed}");
    }

    private static (double Pushed, double Failed, double Dropped) Pushes(IReadOnlyList<Series> metrics)
    {
        double Result(string result) => metrics.Single(s => s.Name == "agent_profile_pushes_total" && s["result"] == result).Value;
        return (Result("pushed"), Result("failed"), Result("dropped"));
    }

    /// <summary>The first 200 from a profile route, polled for up to 60 s (the agent finds the target, a kept window exists).</summary>
    private static Task<byte[]> FirstProfile(HttpClient http, string url, string what) =>
        Poll.Until(
            async () =>
            {
                using var r = await http.GetAsync(url);
                return r.StatusCode == HttpStatusCode.OK ? await r.Content.ReadAsByteArrayAsync() : null;
            },
            TimeSpan.FromSeconds(60),
            what);

    // Lines, not matches: a JSON log line holds the message and its template.
    private static int PushLines(AgentProcess agent) => agent.Process.Stderr.Split('\n').Count(l => l.Contains("Pushing a profile to", StringComparison.Ordinal));

    // The target's own clock says HotLoop got about 3 times WarmLoop's time; the decoded profile
    // must agree on the order and, loosely, on the ratio (samples are a statistic).
    private void AssertHotAboveWarm(IReadOnlyList<(string Name, double Flat)> top, long hotMs, long warmMs, string hotName = Hot, string warmName = Warm)
    {
        output.WriteLine($"target's own account: {hotName} {hotMs} ms, {warmName} {warmMs} ms");
        Assert.True(top.Count > 0, "go tool pprof listed no function");
        Assert.Equal(hotName, top[0].Name);
        var hot = top[0].Flat;
        var warm = top.FirstOrDefault(t => t.Name == warmName).Flat;
        Assert.True(warm > 0 && warm < hot, $"{warmName} flat {warm}% must be above 0 and below {hotName}'s {hot}%");
        var ownRatio = (double)hotMs / Math.Max(1, warmMs);
        Assert.InRange(hot / warm, ownRatio / 2, ownRatio * 2);
    }

    private async Task<IReadOnlyList<(string Name, double Flat)>> PprofTop(byte[] bytes)
    {
        var file = Path.Combine(_directory, $"{Guid.NewGuid():N}.pb.gz");
        await File.WriteAllBytesAsync(file, bytes);
        var (code, text) = await Tool.Run("go", ["tool", "pprof", "-top", "-nodecount=30", file], _directory, TimeSpan.FromMinutes(2));
        output.WriteLine(text);
        Assert.True(code == 0, $"go tool pprof exit {code}: {text}");
        var rows = new List<(string, double)>();
        foreach (var line in text.Split('\n'))
        {
            var m = TopRow().Match(line);
            if (m.Success)
            {
                rows.Add((m.Groups["name"].Value.Trim(), double.Parse(m.Groups["flat"].Value, CultureInfo.InvariantCulture)));
            }
        }

        return rows;
    }

    //       flat  flat%   sum%        cum   cum%
    //      1.20s 61.22% 61.22%      1.20s 61.22%  CpuBurner.HotLoop
    [GeneratedRegex("<g data-fn=\"(?<fn>[^\"]+)\" data-share=\"(?<share>[0-9.]+)\">")]
    private static partial Regex FlameBox();

    [GeneratedRegex(@"^\s*\S+\s+(?<flat>[\d.]+)%\s+[\d.]+%\s+\S+\s+[\d.]+%\s+(?<name>\S.*)$")]
    private static partial Regex TopRow();

    private Task<AgentProcess> StartAgent(int pid, Dictionary<string, string> extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["Target:Pid"] = pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.500",
            ["Security:DiagnosticsToken"] = DiagnosticsTests.Token,
            ["Diagnostics:Directory"] = Path.Combine(_directory, "artifacts"),
            ["Diagnostics:StacksDirectory"] = _directory,
            ["Diagnostics:MinFreeBytes"] = "0",
        };
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }

        return AgentProcess.Start(settings);
    }
}
