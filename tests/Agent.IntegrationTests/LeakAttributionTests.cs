using System.Globalization;
using System.Net;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// From a leak to its line (Python) or its type and holder (.NET), through the running agent's
/// <c>/diag/heap</c> and the <c>heap</c> trigger action, against real targets. The oracles are
/// the targets' own sources and reports: the line carrying the LEAK marker read from the script,
/// each gunicorn worker's count of what it holds, the .NET target's count of its cache,
/// <c>gc.get_stats()</c> printed by the Python target itself.
/// </summary>
public sealed class LeakAttributionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly string _dir = Directory.CreateTempSubdirectory("leak-attribution-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Python_growth_is_attributed_to_the_leaking_line_and_freed_churn_never_ranks_above_it()
    {
        // The one-line route: the app has `import sidecar_hook`, the directory holds the hook alone.
        await using var app = await PythonHookApp.Start("leak_and_churn.py", PythonHookApp.Install(_dir, siteCustomize: false));
        await using var agent = await StartAgent(new() { ["Target:Pid"] = Pid(app) });
        using var http = DiagnosticsTests.Authorized(agent);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_runtime_connected", "runtime", "python") == 1, TimeSpan.FromSeconds(15), "python hook connected");

        var artifact = await Capture(http, "/diag/heap?target=app&seconds=4");

        Assert.Equal("python-heap-growth/1", artifact.GetProperty("format").GetString());
        var process = artifact.GetProperty("processes").EnumerateArray().Single();
        Assert.Equal(app.Pid, process.GetProperty("pid").GetInt32());
        var sites = process.GetProperty("allocations").GetProperty("sites").EnumerateArray().ToList();
        var leak = PythonHookApp.LineOf("leak_and_churn.py", "LEAK");
        var churn = PythonHookApp.LineOf("leak_and_churn.py", "CHURN");
        var top = sites[0].GetProperty("frames")[0];
        Assert.EndsWith("leak_and_churn.py", top.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal(leak, top.GetProperty("line").GetInt32());
        Assert.Equal("remember", top.GetProperty("function").GetString());
        Assert.Equal("cache.append(bytearray(64 * 1024))  # LEAK", top.GetProperty("code").GetString());
        // 64 KiB blocks kept every 50 ms for about 4 s: tens of them, none of the churn's.
        Assert.InRange(sites[0].GetProperty("countDiff").GetInt64(), 10, 200);
        var churnRank = sites.FindIndex(s => s.GetProperty("frames")[0].GetProperty("line").GetInt32() == churn);
        Assert.True(churnRank is -1 or > 0, $"the churn line ranks {churnRank}");
        Assert.Contains($"leak_and_churn.py:{leak} in remember()", artifact.GetProperty("findings")[0].GetString(), StringComparison.Ordinal);
        // Churn shows in the peak, not in what stayed.
        var allocations = process.GetProperty("allocations");
        Assert.True(allocations.GetProperty("tracedPeak").GetInt64() > allocations.GetProperty("sizeDiff").GetInt64());
        Assert.False(allocations.GetProperty("startedTracing").GetBoolean() && (await PythonHookApp.Ask(app.Pid, """{"v":1,"request":"hello"}""")).GetProperty("tracing").GetBoolean(), "tracemalloc is still on after the window");
    }

    [Fact]
    public async Task A_cycle_heavy_app_shows_collected_counts_climbing_and_no_site_growing()
    {
        await using var app = await PythonHookApp.Start("cycles.py", PythonHookApp.Install(_dir));
        await using var agent = await StartAgent(new() { ["Target:Pid"] = Pid(app) });
        using var http = DiagnosticsTests.Authorized(agent);
        using var before = JsonDocument.Parse(await PythonHookApp.Command(app, "stats", "{\"stats\""));

        var artifact = await Capture(http, "/diag/heap?target=app&seconds=4");
        using var after = JsonDocument.Parse(await PythonHookApp.Command(app, "stats", "{\"stats\""));

        var process = artifact.GetProperty("processes").EnumerateArray().Single();
        var collected = process.GetProperty("gc").GetProperty("collected").EnumerateArray().Sum(c => c.GetInt64());
        var ownCollected = Collected(after) - Collected(before);
        // The hook's count over the window is part of the app's own count around it, and not a small part.
        Assert.InRange(collected, 1000, ownCollected);
        Assert.True(after.RootElement.GetProperty("finalised").GetInt64() > before.RootElement.GetProperty("finalised").GetInt64(), "__del__ ran: the cycles were freed");
        Assert.Equal(0, after.RootElement.GetProperty("garbage").GetInt32());
        // The window's two full collections, as the app's own gen-2 count saw them: the second one is
        // what clears the cycles not yet reached, which otherwise read as a growing site.
        Assert.True(FullCollections(after) - FullCollections(before) >= 2, $"gen-2 collections {FullCollections(before)} -> {FullCollections(after)}");
        Assert.True(process.GetProperty("allocations").GetProperty("collectSeconds").GetDouble() > 0);
        var sites = process.GetProperty("allocations").GetProperty("sites").EnumerateArray().ToList();
        Assert.True(sites.Count == 0 || sites[0].GetProperty("sizeDiff").GetInt64() < 64 * 1024, $"a site grew: {(sites.Count > 0 ? sites[0].ToString() : "")}");
        Assert.Contains("no allocation site grew", artifact.GetProperty("findings")[0].GetString(), StringComparison.Ordinal);

        // And /metrics says the same without any capture: collected keeps climbing.
        var first = await CollectedTotal(agent);
        await Poll.Until(async () => await CollectedTotal(agent) > first + 1000, TimeSpan.FromSeconds(10), "target_python_gc_objects_collected_total climbs");
    }

    [Fact]
    public async Task Python_gc_counters_equal_what_the_target_reports_within_one_interval()
    {
        await using var app = await PythonHookApp.Start("gc_on_cue.py", PythonHookApp.Install(_dir));
        await using var agent = await StartAgent(new() { ["Target:Pid"] = Pid(app) });
        await Poll.Until(async () => (await agent.Metrics()).Value("target_runtime_connected", "runtime", "python") == 1, TimeSpan.FromSeconds(15), "python hook connected");

        for (var round = 1; round <= 3; round++)
        {
            using var own = JsonDocument.Parse(await PythonHookApp.Command(app, $"collect {round * 3}", "{\"stats\""));
            var stats = own.RootElement.GetProperty("stats");
            var gen2 = stats[2].GetProperty("collections").GetInt64();
            // Within one interval (plus the scrape's own cache), the agent shows the app's full collections.
            var m = await Poll.Until(
                async () =>
                {
                    var metrics = await agent.Metrics();
                    return metrics.Value("target_python_gc_collections_total", "generation", "2") >= gen2 ? metrics : null;
                },
                Interval * 4 + TimeSpan.FromSeconds(1),
                $"target_python_gc_collections_total{{generation=2}} reaches the app's {gen2}");
            using var later = JsonDocument.Parse(await PythonHookApp.Command(app, "stats", "{\"stats\""));
            for (var g = 0; g < 3; g++)
            {
                var generation = g.ToString(CultureInfo.InvariantCulture);
                foreach (var (field, family) in new[] { ("collections", "target_python_gc_collections_total"), ("collected", "target_python_gc_objects_collected_total"), ("uncollectable", "target_python_gc_objects_uncollectable_total") })
                {
                    // The app's own report before and after the agent's reading bracket it (the hook's own
                    // requests allocate, so the young generation may move by one between them).
                    var value = m.Where(s => s.Name == family && s["generation"] == generation && s["target"] == "app").Single().Value;
                    Assert.InRange(value, stats[g].GetProperty(field).GetInt64(), later.RootElement.GetProperty("stats")[g].GetProperty(field).GetInt64());
                }
            }

            Assert.Equal(own.RootElement.GetProperty("garbage").GetInt64(), m.Value("target_python_gc_garbage_objects"));
            Assert.Equal(1, m.Value("target_python_threads"));
        }
    }

    [Fact]
    public async Task Gunicorn_workers_are_each_attributed_under_their_own_pid()
    {
        var port = Net.FreePort();
        await using var gunicorn = ChildProcess.Start(
            "gunicorn",
            ["-w", "2", "-b", $"127.0.0.1:{port}", "--chdir", Repo.Targets, "flask_leak_app:app"],
            new Dictionary<string, string?> { ["PYTHONPATH"] = PythonHookApp.Install(_dir) });
        using var web = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Poll.Until(async () => (await web.GetAsync("/")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "gunicorn serves");
        // The master forks its workers one after the other: the first may serve before the second
        // exists (seen once in a fresh-clone run: one child listed).
        var workers = await Poll.Until(() => Task.FromResult(Children(gunicorn.Pid) is { Count: 2 } both ? both : null), TimeSpan.FromSeconds(30), "both workers forked");
        foreach (var pid in workers.Append(gunicorn.Pid))
        {
            await PythonHookApp.WaitListening(pid);
        }

        await using var agent = await StartAgent(new() { ["Targets:web:Port"] = port.ToString(CultureInfo.InvariantCulture), ["Targets:web:IncludeChildren"] = "true" });
        using var http = DiagnosticsTests.Authorized(agent);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_runtime_connected", "runtime", "python") == 1, TimeSpan.FromSeconds(15), "python hooks connected");

        using var post = await http.PostAsync("/diag/heap?target=web&seconds=6", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        // Leak only once every worker's window is open (its hook says it is tracing), so each
        // worker's own count of what it served is exactly what its window saw.
        await Poll.Until(async () => (await Task.WhenAll(workers.Select(w => PythonHookApp.Ask(w, """{"v":1,"request":"hello"}""")))).All(h => h.TryGetProperty("tracing", out var t) && t.GetBoolean()), TimeSpan.FromSeconds(5), "every worker's window open");
        var served = new Dictionary<int, int>();
        for (var i = 0; i < 30; i++)
        {
            var pid = int.Parse((await web.GetStringAsync("/leak")).Split(' ')[0], CultureInfo.InvariantCulture);
            served[pid] = served.GetValueOrDefault(pid) + 1;
        }

        var done = await DiagnosticsTests.WaitDone(http, id, 90);
        Assert.Equal("done", done.GetProperty("state").GetString());
        var artifact = JsonDocument.Parse(await http.GetStringAsync($"/diag/artifacts/{id}")).RootElement;
        output.WriteLine(string.Join("\n", artifact.GetProperty("findings").EnumerateArray().Select(f => f.GetString())));
        var byPid = artifact.GetProperty("processes").EnumerateArray().ToDictionary(p => p.GetProperty("pid").GetInt32());
        Assert.Equal(workers.Append(gunicorn.Pid).Order(), byPid.Keys.Order());
        var leak = PythonHookApp.LineOf("flask_leak_app.py", "LEAK");
        foreach (var worker in workers)
        {
            // Each /leak keeps one bytearray of 256 KiB (tracemalloc counts two blocks: the object and
            // its buffer) and may grow the list that holds them.
            var grown = byPid[worker].GetProperty("allocations").GetProperty("sites").EnumerateArray()
                .Where(s => s.GetProperty("frames")[0].GetProperty("line").GetInt32() == leak && s.GetProperty("frames")[0].GetProperty("file").GetString()!.EndsWith("flask_leak_app.py", StringComparison.Ordinal))
                .Sum(s => s.GetProperty("sizeDiff").GetInt64());
            var n = served.GetValueOrDefault(worker);
            Assert.InRange(grown, n * 256L * 1024, (n * ((256L * 1024) + 256)) + 4096);
        }
    }

    [Fact]
    public async Task Dotnet_growth_names_the_leaked_type_and_the_cache_that_holds_it()
    {
        const int Leaked = 200_000;
        await using var target = await DotnetTarget.Start();
        await using var agent = await StartAgent(new() { ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture) });
        using var http = DiagnosticsTests.Authorized(agent);
        var before = await target.Command("leak 1000");

        using var post = await http.PostAsync("/diag/heap?target=app&seconds=8", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        // The first walk is the target's next full collection (its own count says when); leak after it.
        await Poll.Until(async () => (await target.Command("state"))["gen2"] > before["gen2"], TimeSpan.FromSeconds(30), "the first heap walk's collection");
        var after = await target.Command($"leak {Leaked}");

        var done = await DiagnosticsTests.WaitDone(http, id, 120);
        Assert.Equal("done", done.GetProperty("state").GetString());
        var artifact = JsonDocument.Parse(await http.GetStringAsync($"/diag/artifacts/{id}")).RootElement;
        output.WriteLine(string.Join("\n", artifact.GetProperty("findings").EnumerateArray().Select(f => f.GetString())));
        Assert.Equal("dotnet-heap-growth/1", artifact.GetProperty("format").GetString());

        var grower = artifact.GetProperty("byCount")[0];
        Assert.Equal("LeakedWidget", grower.GetProperty("type").GetString());
        Assert.Equal(after["widgets"] - before["widgets"], grower.GetProperty("countDelta").GetInt64());
        Assert.Equal(after["widgets"], grower.GetProperty("count").GetInt64());
        var holder = grower.GetProperty("heldBy")[0];
        Assert.Contains("Entry", holder.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Contains("LeakedWidget", holder.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(after["widgets"], holder.GetProperty("references").GetInt64());
        Assert.Equal("LeakedWidget", artifact.GetProperty("byBytes")[0].GetProperty("type").GetString());
        Assert.False(artifact.GetProperty("holders").TryGetProperty("omitted", out var omitted), $"holders omitted: {omitted}");
        Assert.InRange(artifact.GetProperty("holders").GetProperty("peakBytes").GetInt64(), 1, artifact.GetProperty("holders").GetProperty("budgetBytes").GetInt64());
        Assert.Equal(after["widgets"], (await target.Command("state"))["widgets"]); // still serving, still holding
    }

    [Fact]
    public async Task A_leak_trigger_with_the_heap_action_ends_with_the_leaking_line_in_one_artifact()
    {
        await using var app = await PythonHookApp.Start("leak_and_churn.py", PythonHookApp.Install(_dir, siteCustomize: false));
        await using var agent = await StartAgent(new()
        {
            ["Target:Pid"] = Pid(app),
            ["Triggers:leak:Metric"] = "target_process_resident_memory_bytes",
            ["Triggers:leak:GrowthAbove"] = "2MiB",
            ["Triggers:leak:Window"] = "00:00:10",
            ["Triggers:leak:Actions"] = "snapshot,heap",
            ["Diagnostics:HeapWindow"] = "00:00:03",
        });
        using var http = DiagnosticsTests.Authorized(agent);

        var heap = await Poll.Until(
            async () =>
            {
                var list = JsonDocument.Parse(await http.GetStringAsync("/diag/artifacts")).RootElement;
                return list.EnumerateArray().FirstOrDefault(e => e.GetProperty("kind").GetString() == "heap" && e.GetProperty("state").GetString() != "running") is { ValueKind: JsonValueKind.Object } e ? e.GetRawText() : null;
            },
            TimeSpan.FromSeconds(60),
            "the trigger's heap artifact");
        using var entry = JsonDocument.Parse(heap);
        Assert.Equal("leak", entry.RootElement.GetProperty("trigger").GetString());
        Assert.Equal("done", entry.RootElement.GetProperty("state").GetString());
        var artifact = JsonDocument.Parse(await http.GetStringAsync($"/diag/artifacts/{entry.RootElement.GetProperty("id").GetString()}")).RootElement;
        var top = artifact.GetProperty("processes")[0].GetProperty("allocations").GetProperty("sites")[0].GetProperty("frames")[0];
        Assert.Equal(PythonHookApp.LineOf("leak_and_churn.py", "LEAK"), top.GetProperty("line").GetInt32());
        Assert.InRange(artifact.GetProperty("seconds").GetDouble(), 3, 30);
    }

    [Fact]
    public async Task A_target_that_dies_mid_window_fails_the_capture_with_the_reason_and_the_agent_carries_on()
    {
        await using var app = await PythonHookApp.Start("leak_and_churn.py", PythonHookApp.Install(_dir, siteCustomize: false));
        await using var agent = await StartAgent(new() { ["Target:Pid"] = Pid(app) });
        using var http = DiagnosticsTests.Authorized(agent);

        using var post = await http.PostAsync("/diag/heap?target=app&seconds=20", null);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        // An answer without "tracing" is an error line of the hook (once, in a fresh-clone run, while
        // the window started): not an answer yet, so it is asked again rather than failing the test.
        await Poll.Until(async () => (await PythonHookApp.Ask(app.Pid, """{"v":1,"request":"hello"}""")).TryGetProperty("tracing", out var tracing) && tracing.GetBoolean(), TimeSpan.FromSeconds(10), "the window open");
        var killed = DateTime.UtcNow;
        app.Kill();

        var failed = await DiagnosticsTests.WaitDone(http, id, 30);
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Contains("closed the connection", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - killed < TimeSpan.FromSeconds(20), "failed well before the window's end");
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Capabilities_and_refusals_name_the_line_to_add_and_the_hook_answers_when_loaded()
    {
        await using var without = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "gc_on_cue.py")]);
        await without.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        await using var with = await PythonHookApp.Start("gc_on_cue.py", PythonHookApp.Install(_dir));
        await using var agent = await StartAgent(new()
        {
            ["Targets:bare:Pid"] = without.Pid.ToString(CultureInfo.InvariantCulture),
            ["Targets:hooked:Pid"] = with.Pid.ToString(CultureInfo.InvariantCulture),
        });
        using var http = DiagnosticsTests.Authorized(agent);
        await PythonHookApp.WaitListening(with.Pid);

        var caps = JsonDocument.Parse(await http.GetStringAsync("/diag/capabilities")).RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("target").GetString()!);
        JsonElement Hook(string t) => caps[t].GetProperty("access").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "python_hook");
        JsonElement Kind(string t, string k) => caps[t].GetProperty("kinds").EnumerateArray().Single(i => i.GetProperty("kind").GetString() == k);
        Assert.Equal("Available", Hook("hooked").GetProperty("status").GetString());
        Assert.Equal("Unavailable", Hook("bare").GetProperty("status").GetString());
        Assert.Contains("`import sidecar_hook`", Hook("bare").GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.True(Kind("hooked", "heap").GetProperty("available").GetBoolean());
        Assert.False(Kind("bare", "heap").GetProperty("available").GetBoolean());

        using var refused = await http.PostAsync("/diag/heap?target=bare&seconds=2", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("import sidecar_hook", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await Poll.Until(async () => (await agent.Metrics()).Any(s => s.Name == "target_runtime_connected" && s["runtime"] == "python" && s["target"] == "hooked" && s.Value == 1), TimeSpan.FromSeconds(10), "hooked connected");
        Assert.Contains(await agent.Metrics(), s => s.Name == "target_runtime_connected" && s["runtime"] == "python" && s["target"] == "bare" && s.Value == 0);
        Assert.DoesNotContain(await agent.Metrics(), s => s.Name.StartsWith("target_python_", StringComparison.Ordinal) && s["target"] == "bare");

        // agent check says the same per target of the plan: the hook answers in one entry, and the
        // other's entry names the line to add (a warning: an opt-in, not a failure).
        var check = await AgentCheck.Run(["check", "--output=json", $"--Targets:bare:Pid={without.Pid}", $"--Targets:hooked:Pid={with.Pid}"]);
        Assert.Equal(0, check.ExitCode);
        JsonElement Checked(string t) => check.Json.GetProperty("targets").EnumerateArray().Single(e => e.GetProperty("target").GetString() == t)
            .GetProperty("capabilities").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "python_hook");
        Assert.Equal("Available", Checked("hooked").GetProperty("status").GetString());
        Assert.Equal("Unavailable", Checked("bare").GetProperty("status").GetString());
        Assert.Contains(check.Json.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("target bare: cannot use python_hook", StringComparison.Ordinal) && w.GetString()!.Contains("import sidecar_hook", StringComparison.Ordinal));

        // Python stacks through the hook need no faulthandler opt-in; the artifact says who answered.
        var stacks = await Capture(http, "/diag/stacks?target=hooked", json: false);
        Assert.Contains("answered by the Python hook", stacks.GetString(), StringComparison.Ordinal);
        Assert.Contains("gc_on_cue.py", stacks.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_federation_and_the_hook_each_gc_series_is_exported_once_and_the_apps_other_families_stay()
    {
        var port = Net.FreePort();
        await using var app = await PythonHookApp.Start("prom_target.py", PythonHookApp.Install(_dir), null, port.ToString(CultureInfo.InvariantCulture));
        await using var agent = await StartAgent(new()
        {
            ["Target:Pid"] = Pid(app),
            ["Runtime:MetricsUrl"] = $"http://127.0.0.1:{port}/metrics",
        });
        var m = await Poll.Until(
            async () =>
            {
                var all = await agent.Metrics();
                return all.Value("target_runtime_connected", "runtime", "python") == 1 && all.Value("target_runtime_connected", "runtime", "federated") == 1 ? all : null;
            },
            TimeSpan.FromSeconds(20),
            "hook and federation both connected");
        foreach (var family in new[] { "target_python_gc_collections_total", "target_python_gc_objects_collected_total", "target_python_gc_objects_uncollectable_total" })
        {
            Assert.Equal(["0", "1", "2"], m.Named(family).Select(s => s["generation"]).Order());
        }

        Assert.Single(m.Named("target_python_info"));
        var text = await agent.MetricsText();
        Assert.Equal(1, text.Split('\n').Count(l => l == "# TYPE target_python_gc_collections_total counter"));
    }

    private async Task<AgentProcess> StartAgent(Dictionary<string, string> settings)
    {
        settings["Sampling:Interval"] = Interval.ToString();
        settings["Security:DiagnosticsToken"] = "diag-t0ken-for-tests-0123456789";
        settings["Diagnostics:Directory"] = Path.Combine(_dir, "artifacts");
        return await AgentProcess.Start(settings);
    }

    private static string Pid(ChildProcess p) => p.Pid.ToString(CultureInfo.InvariantCulture);

    private static async Task<JsonElement> Capture(HttpClient http, string url, bool json = true)
    {
        using var post = await http.PostAsync(url, null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var done = await DiagnosticsTests.WaitDone(http, id, 90);
        Assert.True(done.GetProperty("state").GetString() == "done", done.ToString());
        var body = await http.GetStringAsync($"/diag/artifacts/{id}");
        return json ? JsonDocument.Parse(body).RootElement.Clone() : JsonDocument.Parse(JsonSerializer.Serialize(body)).RootElement.Clone();
    }

    private static long Collected(JsonDocument stats) => stats.RootElement.GetProperty("stats").EnumerateArray().Sum(g => g.GetProperty("collected").GetInt64());

    private static long FullCollections(JsonDocument stats) => stats.RootElement.GetProperty("stats")[2].GetProperty("collections").GetInt64();

    private static async Task<double> CollectedTotal(AgentProcess agent) => (await agent.Metrics()).Named("target_python_gc_objects_collected_total").Sum(s => s.Value);

    /// <summary>The direct children of a process, from /proc (stat field 4), read here.</summary>
    private static List<int> Children(int parent) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture) == parent;
                }
                catch (IOException)
                {
                    return false;
                }
            })];
}
