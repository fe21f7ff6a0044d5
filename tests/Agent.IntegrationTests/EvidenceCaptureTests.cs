using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;
using Microsoft.Diagnostics.Tracing;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>.NET dumps and traces and Python stacks from real targets; the agent keeps answering while it captures.</summary>
public sealed class EvidenceCaptureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"agent-evidence-test-{Guid.NewGuid():N}");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "held"));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_heap_dump_is_an_elf_core_the_target_survives_and_health_answers_throughout()
    {
        await using var target = await DotnetTarget.Start();
        await using var agent = await StartAgent(target.Pid);
        using var http = DiagnosticsTests.Authorized(agent);
        await target.Command("gc 1");
        var held = (await target.Command("hold 4321"))["markers"];

        var sw = Stopwatch.StartNew();
        using var post = await http.PostAsync("/diag/dump?target=app&type=heap", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var latencies = await ProbeWhileRunning(agent, http, id);
        var done = await DiagnosticsTests.WaitDone(http, id, 120);
        var seconds = sw.Elapsed.TotalSeconds;

        Assert.Equal("done", done.GetProperty("state").GetString());
        var file = Path.Combine(_directory, "artifacts", id + ".dmp");
        var magic = new byte[4];
        await using (var f = File.OpenRead(file))
        {
            await f.ReadExactlyAsync(magic);
        }

        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, magic);
        Assert.Equal(new FileInfo(file).Length, done.GetProperty("bytes").GetInt64());
        // Opened by Microsoft's own reader (dotnet-dump analyze, SOS): the heap holds exactly the
        // marker objects the target says it keeps.
        var dotnetDump = await DotnetTool.Path("dotnet-dump", "10.0.750501");
        var (code, heap) = await Tool.Run(dotnetDump, ["analyze", file, "-c", "dumpheap -stat -type HeapEvidenceMarker", "-c", "exit"], deadline: TimeSpan.FromMinutes(3));
        Assert.True(code == 0, heap);
        var row = heap.Split('\n').Single(l => l.TrimEnd().EndsWith(" HeapEvidenceMarker", StringComparison.Ordinal));
        Assert.Equal(held, long.Parse(row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture));
        var after = await target.Command("state"); // still answering
        Assert.True(after["gen2"] >= 1);
        Report("dump", done.GetProperty("bytes").GetInt64(), seconds, latencies);
    }

    [Fact]
    public async Task A_trace_is_a_nettrace_file_that_traceevent_parses_and_counters_keep_flowing()
    {
        await using var target = await DotnetTarget.Start();
        await using var agent = await StartAgent(target.Pid);
        using var http = DiagnosticsTests.Authorized(agent);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_runtime_connected", "runtime", "dotnet") == 1, TimeSpan.FromSeconds(15), "dotnet runtime connected");

        var sw = Stopwatch.StartNew();
        using var post = await http.PostAsync("/diag/trace?target=app&seconds=4&profile=default", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        // One capture per target: a second one is refused while the trace runs.
        using var busy = await http.PostAsync("/diag/dump?target=app", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
        Assert.Equal("busy", JsonDocument.Parse(await busy.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());

        // The counters' session is untouched by the trace's: GCs done now show up while it runs.
        var before = await target.Command("state");
        var own = await target.Command("gc 5");
        await Poll.Until(
            async () => (await agent.Metrics()).Value("target_dotnet_gc_collections_total", "generation", "gen2") >= own["gen2"],
            TimeSpan.FromSeconds(10),
            "counters during the trace");
        var latencies = await ProbeWhileRunning(agent, http, id);
        var done = await DiagnosticsTests.WaitDone(http, id, 60);
        var seconds = sw.Elapsed.TotalSeconds;

        Assert.Equal("done", done.GetProperty("state").GetString());
        var bytes = await http.GetByteArrayAsync($"/diag/artifacts/{id}");
        Assert.Equal("Nettrace", Encoding.ASCII.GetString(bytes, 0, 8));
        var events = 0;
        var samples = 0;
        var providers = new HashSet<string>();
        // Microsoft-DotNETCore-SampleProfiler's fixed GUID (src/coreclr/vm/sampleprofiler.cpp); without a parser the reader knows it by GUID only.
        var sampleProfiler = new Guid("3c530d44-97ae-513a-1e6d-783e8f8e03a9");
        var gen2Starts = 0;
        using (var source = new EventPipeEventSource(new MemoryStream(bytes)))
        {
            source.Clr.GCStart += g =>
            {
                if (g.Depth == 2)
                {
                    gen2Starts++;
                }
            };
            source.AllEvents += e =>
            {
                events++;
                providers.Add($"{e.ProviderName}/{e.EventName}");
                if (e.ProviderGuid == sampleProfiler)
                {
                    samples++;
                }
            };
            source.Process();
        }

        Assert.True(samples > 0, $"{events} events, no sample-profiler event: {string.Join(", ", providers.Take(30))}");
        // The target's own count of the gen2 GCs it ran during the trace, against the trace's GC/Start events.
        Assert.InRange(gen2Starts, own["gen2"] - before["gen2"], int.MaxValue);
        Report("trace 4 s default", bytes.Length, seconds, latencies);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("gc")]
    public async Task The_cpu_profile_samples_stacks_without_gc_events_and_the_gc_profile_the_reverse(string profile)
    {
        await using var target = await DotnetTarget.Start();
        await using var agent = await StartAgent(target.Pid);
        using var http = DiagnosticsTests.Authorized(agent);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_runtime_connected", "runtime", "dotnet") == 1, TimeSpan.FromSeconds(15), "dotnet runtime connected");

        using var post = await http.PostAsync($"/diag/trace?target=app&seconds=3&profile={profile}", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var before = await target.Command("state");
        var own = await target.Command("gc 3"); // during the trace: 3 induced gen2 collections
        Assert.Equal("done", (await DiagnosticsTests.WaitDone(http, id, 60)).GetProperty("state").GetString());

        var bytes = await http.GetByteArrayAsync($"/diag/artifacts/{id}");
        var sampleProfiler = new Guid("3c530d44-97ae-513a-1e6d-783e8f8e03a9");
        var (samples, gen2Starts) = (0, 0);
        using (var source = new EventPipeEventSource(new MemoryStream(bytes)))
        {
            source.Clr.GCStart += g => gen2Starts += g.Depth == 2 ? 1 : 0;
            source.AllEvents += e => samples += e.ProviderGuid == sampleProfiler ? 1 : 0;
            source.Process();
        }

        if (profile == "cpu")
        {
            Assert.True(samples > 0, "the cpu profile samples stacks");
            Assert.Equal(0, gen2Starts);
        }
        else
        {
            Assert.Equal(0, samples);
            Assert.InRange(gen2Starts, own["gen2"] - before["gen2"], int.MaxValue);
        }
    }

    [Fact]
    public async Task A_mini_dump_opens_in_dotnet_dump_and_shows_the_targets_managed_threads()
    {
        await using var target = await DotnetTarget.Start();
        await using var agent = await StartAgent(target.Pid);
        using var http = DiagnosticsTests.Authorized(agent);

        using var post = await http.PostAsync("/diag/dump?target=app&type=mini", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var done = await DiagnosticsTests.WaitDone(http, id, 120);
        Assert.Equal("done", done.GetProperty("state").GetString());

        var file = Path.Combine(_directory, "artifacts", id + ".dmp");
        var dotnetDump = await DotnetTool.Path("dotnet-dump", "10.0.750501");
        var (code, output) = await Tool.Run(dotnetDump, ["analyze", file, "-c", "clrthreads", "-c", "exit"], deadline: TimeSpan.FromMinutes(3));
        Assert.True(code == 0, output);
        // SOS reads the runtime's own thread list from the dump: the target's managed threads.
        var count = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"ThreadCount:\s+(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(count, 1, 1000);
        Assert.Equal(new FileInfo(file).Length, done.GetProperty("bytes").GetInt64());
        Assert.False(target.Process.HasExited);
    }

    [Fact]
    public async Task A_heap_summary_puts_the_type_the_target_holds_most_of_first()
    {
        const int Held = 100_000;
        await using var target = await DotnetTarget.Start();
        await using var agent = await StartAgent(target.Pid);
        using var http = DiagnosticsTests.Authorized(agent);
        var own = await target.Command($"hold {Held}");

        var caps = JsonDocument.Parse(await http.GetStringAsync("/diag/capabilities")).RootElement.EnumerateArray().Single();
        var heap = caps.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "heap");
        Assert.True(heap.GetProperty("available").GetBoolean(), heap.ToString());

        var sw = Stopwatch.StartNew();
        using var post = await http.PostAsync("/diag/heap?target=app", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var latencies = await ProbeWhileRunning(agent, http, id);
        var done = await DiagnosticsTests.WaitDone(http, id, 120);
        var seconds = sw.Elapsed.TotalSeconds;
        Assert.Equal("done", done.GetProperty("state").GetString());
        var text = await http.GetStringAsync($"/diag/artifacts/{id}");
        output.WriteLine(text.Length > 3000 ? text[..3000] : text);
        var summary = JsonDocument.Parse(text).RootElement;

        // The target's own count of what it holds is the oracle: the walk sees at least those (a
        // marker dropped by the GC would be a bug in the target, not a smaller count here).
        // README: the 50 types holding the most bytes and the 50 with the most objects, in that order
        // (a .NET app's heap has hundreds of types: both lists are full).
        Assert.True(summary.GetProperty("types").GetInt64() > 50, summary.GetProperty("types").ToString());
        foreach (var (table, key) in new[] { ("bySize", "bytes"), ("byCount", "count") })
        {
            var rows = summary.GetProperty(table).EnumerateArray().Select(r => r.GetProperty(key).GetInt64()).ToList();
            Assert.Equal(50, rows.Count);
            Assert.Equal(rows.OrderDescending(), rows);
        }

        foreach (var table in new[] { "bySize", "byCount" })
        {
            var first = summary.GetProperty(table)[0];
            Assert.Equal("HeapEvidenceMarker", first.GetProperty("type").GetString());
            Assert.InRange(first.GetProperty("count").GetInt64(), own["markers"], own["markers"] + 10);
            // A 64-bit object is never smaller than 24 bytes; four longs make it larger.
            Assert.InRange(first.GetProperty("bytes").GetInt64(), first.GetProperty("count").GetInt64() * 32, long.MaxValue);
        }

        // The List's backing array, named from the walk's own type events.
        var array = summary.GetProperty("bySize").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "HeapEvidenceMarker[]");
        Assert.InRange(array.GetProperty("bytes").GetInt64(), own["markers"] * 8, long.MaxValue);
        Assert.InRange(summary.GetProperty("objects").GetInt64(), own["markers"], long.MaxValue);
        Assert.Equal(own["markers"], (await target.Command("state"))["markers"]); // still answering, still holding
        Report("heap summary", done.GetProperty("bytes").GetInt64(), seconds, latencies);
    }

    [Fact]
    public async Task Python_stacks_with_the_opt_in_hold_the_function_a_thread_sleeps_in()
    {
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "evidence_target.py"), Path.Combine(_directory, "held"), "1", "1", "stacks"],
            new Dictionary<string, string?> { ["STACKS_DIR"] = _directory });
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        await using var agent = await StartAgent(target.Pid);
        using var http = DiagnosticsTests.Authorized(agent);

        using var post = await http.PostAsync("/diag/stacks?target=app", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var id = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var done = await DiagnosticsTests.WaitDone(http, id);

        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.Equal("text", done.GetProperty("format").GetString());
        var text = await http.GetStringAsync($"/diag/artifacts/{id}");
        Assert.Contains("sleeping_in_a_known_function", text, StringComparison.Ordinal);
        Assert.Contains("Thread 0x", text, StringComparison.Ordinal);
        Assert.False(target.HasExited);
    }

    [Fact]
    public async Task Python_without_the_opt_in_is_refused_with_the_fix_and_never_signalled()
    {
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "evidence_target.py"), Path.Combine(_directory, "held"), "1", "1", "none"]);
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        await using var agent = await StartAgent(target.Pid);
        using var http = DiagnosticsTests.Authorized(agent);

        using var stacks = await http.PostAsync("/diag/stacks?target=app", null);
        using var dump = await http.PostAsync("/diag/dump?target=app", null);

        Assert.Equal(HttpStatusCode.Conflict, stacks.StatusCode);
        Assert.Contains("faulthandler.register(signal.SIGUSR2", await stacks.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, dump.StatusCode);
        // A SIGUSR2 without the handler ends the process at once (its default action). The agent
        // counted both refusals and has nothing running; two more ticks later the target still lives.
        await Poll.Until(
            async () => (await agent.Metrics()).Where(x => x.Name == "agent_diagnostics_captures_total" && x.Labels.GetValueOrDefault("result") == "refused").Sum(x => x.Value) == 2,
            TimeSpan.FromSeconds(10),
            "both refusals counted");
        Assert.Empty(JsonDocument.Parse(await http.GetStringAsync("/diag/artifacts")).RootElement.EnumerateArray());
        await HistoryPoints.WaitForMore(agent.Http, 2, "the refusals");
        Assert.False(target.HasExited);
    }

    /// <summary>GETs /health, /ready and /metrics back to back while the capture runs; returns the /health and /ready latencies in ms.</summary>
    private static async Task<List<double>> ProbeWhileRunning(AgentProcess agent, HttpClient http, string id)
    {
        var latencies = new List<double>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var path in new[] { "/health", "/ready" })
            {
                var sw = Stopwatch.StartNew();
                using var r = await agent.Http.GetAsync(path);
                latencies.Add(sw.Elapsed.TotalMilliseconds);
                Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{path}: {r.StatusCode}");
            }

            using var m = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, m.StatusCode);
            var list = JsonDocument.Parse(await http.GetStringAsync("/diag/artifacts")).RootElement;
            if (list.EnumerateArray().Single(e => e.GetProperty("id").GetString() == id).GetProperty("state").GetString() != "running")
            {
                break;
            }
        }

        // The kubelet gives up at 1 s; the figure against the 50 ms goal is reported, not asserted (shared machine).
        Assert.All(latencies, l => Assert.True(l < 1000, $"{l:F0} ms"));
        return latencies;
    }

    private void Report(string what, long bytes, double seconds, List<double> latencies)
    {
        latencies.Sort();
        output.WriteLine($"{what}: {bytes} bytes in {seconds:F2} s; /health+/ready during it: n={latencies.Count}, median {latencies[latencies.Count / 2]:F1} ms, max {latencies[^1]:F1} ms");
    }

    private Task<AgentProcess> StartAgent(int pid) => AgentProcess.Start(new Dictionary<string, string>
    {
        ["Target:Pid"] = pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sampling:Interval"] = Interval.ToString(),
        ["Security:DiagnosticsToken"] = "diag-t0ken-for-tests-0123456789",
        ["Diagnostics:Directory"] = Path.Combine(_directory, "artifacts"),
        ["Diagnostics:StacksDirectory"] = _directory,
        ["Diagnostics:MinFreeBytes"] = "0",
    });
}
