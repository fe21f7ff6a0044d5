using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>/diag against real targets: snapshots compared with /proc read independently, security, budget.</summary>
public sealed class DiagnosticsTests : IAsyncLifetime
{
    internal const string Token = "diag-t0ken-for-tests-0123456789";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"agent-diag-test-{Guid.NewGuid():N}");

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
    public async Task A_snapshot_of_a_target_with_300_open_files_and_40_named_threads_matches_proc()
    {
        await using var target = await StartPythonTarget();
        await using var agent = await StartAgent(target.Pid);
        using var http = Authorized(agent);

        using var response = await http.GetAsync("/diag/snapshot?target=app");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var snapshot = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        // Independent: the kernel's files, read here with the BCL.
        var dir = $"/proc/{target.Pid}";
        var comms = Directory.GetDirectories($"{dir}/task").Select(t => File.ReadAllText($"{t}/comm").TrimEnd('\n')).Order().ToList();
        var links = Directory.GetFileSystemEntries($"{dir}/fd").Select(f => new FileInfo(f).LinkTarget!).ToList();
        var held = Path.Combine(_directory, "held");

        Assert.Equal(target.Pid, snapshot.GetProperty("pid").GetInt32());
        var threads = snapshot.GetProperty("threads");
        Assert.Equal(comms.Count, threads.GetProperty("count").GetInt32());
        Assert.Equal(comms, threads.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order().ToList());
        Assert.Equal(40, comms.Count(c => c.StartsWith("ev-worker-", StringComparison.Ordinal)));

        var fds = snapshot.GetProperty("fds");
        Assert.Equal(links.Count, fds.GetProperty("total").GetInt32());
        Assert.Equal(links.Count(l => l.StartsWith('/')), fds.GetProperty("byType").GetProperty("file").GetInt32());
        Assert.Equal(links.Count(l => l.StartsWith("pipe:", StringComparison.Ordinal)), fds.GetProperty("byType").GetProperty("pipe").GetInt32());
        Assert.Equal(300, links.Count(l => l.StartsWith(held, StringComparison.Ordinal)));
        Assert.Equal(20, fds.GetProperty("top").GetArrayLength());

        // Memory: smaps_rollup's Rss against the sum over smaps, within what an idle Python moves between reads.
        var rss = snapshot.GetProperty("memory").GetProperty("rss").GetInt64();
        var summed = File.ReadAllLines($"{dir}/smaps").Where(l => l.StartsWith("Rss:", StringComparison.Ordinal)).Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024);
        Assert.InRange(rss, summed - (1 << 20), summed + (1 << 20));

        var limit = File.ReadAllLines($"{dir}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        Assert.Equal(double.Parse(limit["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]), snapshot.GetProperty("limits").GetProperty("maxOpenFilesSoft").GetDouble());
        Assert.True(snapshot.TryGetProperty("cgroup", out var cgroup) && cgroup.GetProperty("version").GetInt32() is 1 or 2, snapshot.ToString());
    }

    [Fact]
    public async Task A_snapshot_names_the_busiest_thread_since_the_last_one_and_a_tcp_connection_as_ss_shows_it()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "busy_connected.py"), port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        await using var agent = await StartAgent(target.Pid);
        using var http = Authorized(agent);

        var first = JsonDocument.Parse(await http.GetStringAsync("/diag/snapshot?target=app")).RootElement;
        // The spinner burns CPU between the two snapshots; the kernel's own per-thread times say
        // which thread is busiest, and the snapshot's topByCpu must agree. Counted from the first
        // snapshot on (its total before it once made the wait end with only 0.27 s between the two).
        var atFirst = ThreadCpuTicks(target.Pid, "spinner");
        await Poll.Until(() => Task.FromResult(ThreadCpuTicks(target.Pid, "spinner") - atFirst > 50), TimeSpan.FromSeconds(30), "the spinner burnt half a second of CPU since the first snapshot");
        var second = JsonDocument.Parse(await http.GetStringAsync("/diag/snapshot?target=app")).RootElement;

        Assert.False(first.GetProperty("threads").TryGetProperty("intervalSeconds", out var none) && none.ValueKind != JsonValueKind.Null, "the first snapshot has no interval");
        var threads = second.GetProperty("threads");
        Assert.True(threads.GetProperty("intervalSeconds").GetDouble() > 0);
        var top = threads.GetProperty("topByCpu")[0];
        Assert.Equal("spinner", top.GetProperty("name").GetString());
        Assert.True(top.GetProperty("cpuSecondsDelta").GetDouble() > 0.3, top.ToString());

        // The connection as the kernel lists it for this process (ss), in the README's form.
        var (code, ss) = await Tool.Run("ss", ["-Htnp", "state", "established", "dport", "=", $":{port}"]);
        Assert.Equal(0, code);
        var line = ss.Split('\n').Single(l => l.Contains($"pid={target.Pid},", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var expected = $"tcp {line[2]} -> {line[3]} ESTABLISHED";
        Assert.Contains(second.GetProperty("fds").GetProperty("top").EnumerateArray(), t => t.GetProperty("target").GetString() == expected);
    }

    /// <summary>utime + stime (clock ticks) of the process's thread with that comm, from its task/&lt;tid&gt;/stat.</summary>
    private static long ThreadCpuTicks(int pid, string comm)
    {
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == comm)
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    [Fact]
    public async Task A_stored_snapshot_is_listed_downloaded_counted_and_deleted()
    {
        await using var target = await StartPythonTarget(files: 5, threads: 2);
        await using var agent = await StartAgent(target.Pid);
        using var http = Authorized(agent);

        using var post = await http.PostAsync("/diag/snapshot?target=app", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var entry = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement;
        var id = entry.GetProperty("id").GetString()!;
        Assert.Equal("snapshot", entry.GetProperty("kind").GetString());
        Assert.Equal("manual", entry.GetProperty("trigger").GetString());
        Assert.Equal($"/diag/artifacts/{id}", post.Headers.Location!.ToString());

        var done = await WaitDone(http, id);
        Assert.Equal("done", done.GetProperty("state").GetString());
        var body = await http.GetByteArrayAsync($"/diag/artifacts/{id}");
        Assert.Equal(done.GetProperty("bytes").GetInt64(), body.Length);
        Assert.Equal(target.Pid, JsonDocument.Parse(body).RootElement.GetProperty("pid").GetInt32());
        Assert.True(File.Exists(Path.Combine(_directory, "artifacts", id + ".json")));

        // The exporter answers from a short-lived cache: the count shows on a scrape after the capture ended.
        var metrics = await Poll.Until(
            async () => Exposition.Parse(await (await http.GetAsync("/metrics")).Content.ReadAsStringAsync()) is var m
                && m.Any(s => s.Name == "agent_diagnostics_captures_total" && s.Labels.GetValueOrDefault("kind") == "snapshot" && s.Labels.GetValueOrDefault("result") == "done" && s.Value == 1) ? m : null,
            TimeSpan.FromSeconds(10),
            "the done snapshot counted in /metrics");
        Assert.Contains(metrics, s => s.Name == "agent_diagnostics_artifacts_bytes" && s.Value == body.Length);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/diag/artifacts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/diag/artifacts/{id}")).StatusCode);
        Assert.False(File.Exists(Path.Combine(_directory, "artifacts", id + ".json")));
    }

    [Fact]
    public async Task Without_the_token_401_and_with_diagnostics_off_404()
    {
        await using var target = await StartPythonTarget(files: 1, threads: 1);
        await using var agent = await StartAgent(target.Pid);
        using var wrong = new HttpClient { BaseAddress = agent.Http.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token[..^1] + "x");

        foreach (var (method, path) in new[] { ("GET", "/diag/snapshot"), ("POST", "/diag/dump"), ("GET", "/diag/artifacts"), ("DELETE", "/diag/artifacts/x"), ("GET", "/diag/capabilities") })
        {
            using var anonymous = await agent.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            using var bad = await wrong.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        // No token at all: the routes do not exist.
        await using var off = await AgentProcess.Start(new Dictionary<string, string> { ["Target:Pid"] = target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.NotFound, (await off.Http.GetAsync("/diag/snapshot")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await off.Http.PostAsync("/diag/dump", null)).StatusCode);

        // A token, but switched off.
        await using var disabled = await StartAgent(target.Pid, new() { ["Diagnostics:Enabled"] = "false" });
        using var authorized = Authorized(disabled);
        Assert.Equal(HttpStatusCode.NotFound, (await authorized.GetAsync("/diag/artifacts")).StatusCode);
    }

    [Fact]
    public async Task Enabled_without_a_token_stops_startup_naming_the_key()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Diagnostics:Enabled"] = "true" }, waitHealthy: false);

        Assert.Equal(2, await agent.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains("Diagnostics:Enabled", agent.Process.Stderr, StringComparison.Ordinal);
        Assert.Contains("Security:DiagnosticsToken", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_budget_is_429_with_the_reason_and_counted()
    {
        await using var target = await StartPythonTarget(files: 1, threads: 1);
        // 1 MiB cannot hold a snapshot's 4 MiB reservation.
        await using var agent = await StartAgent(target.Pid, new() { ["Diagnostics:MaxBytes"] = "1048576" });
        using var http = Authorized(agent);

        using var response = await http.PostAsync("/diag/snapshot?target=app", null);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("over_budget", body.GetProperty("reason").GetString());
        Assert.Contains("Diagnostics:MaxBytes", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var metrics = Exposition.Parse(await (await http.GetAsync("/metrics")).Content.ReadAsStringAsync());
        Assert.Contains(metrics, s => s.Name == "agent_diagnostics_captures_total" && s.Labels.GetValueOrDefault("result") == "refused" && s.Value == 1);
        Assert.Empty(JsonDocument.Parse(await http.GetStringAsync("/diag/artifacts")).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Unknown_targets_and_bad_parameters_are_refused_clearly()
    {
        await using var target = await StartPythonTarget(files: 1, threads: 1);
        await using var agent = await StartAgent(target.Pid);
        using var http = Authorized(agent);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/diag/snapshot?target=nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/diag/snapshot?target=nope", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/diag/trace?seconds=abc", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/diag/dump?type=everything", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/diag/artifacts/..%2F..%2Fetc%2Fpasswd")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/diag/artifacts/nope")).StatusCode);
    }

    [Fact]
    public async Task Capabilities_say_what_works_for_a_python_target_and_what_the_agent_can_read()
    {
        await using var target = await StartPythonTarget(files: 1, threads: 1);
        await using var agent = await StartAgent(target.Pid);
        using var http = Authorized(agent);

        var app = JsonDocument.Parse(await http.GetStringAsync("/diag/capabilities")).RootElement.EnumerateArray().Single();

        Assert.Equal("app", app.GetProperty("target").GetString());
        Assert.Equal(target.Pid, app.GetProperty("pid").GetInt32());
        Assert.Equal("python", app.GetProperty("runtime").GetString());
        var snapshot = app.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "snapshot");
        Assert.True(snapshot.GetProperty("available").GetBoolean());
        var items = app.GetProperty("access").GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("name").GetString() == "smaps_rollup" && i.GetProperty("status").GetString() == "Available");
    }

    internal static async Task<JsonElement> WaitDone(HttpClient http, string id, int seconds = 60) =>
        JsonDocument.Parse(await Poll.Until(
            async () =>
            {
                var list = JsonDocument.Parse(await http.GetStringAsync("/diag/artifacts")).RootElement;
                var e = list.EnumerateArray().Single(x => x.GetProperty("id").GetString() == id);
                return e.GetProperty("state").GetString() == "running" ? null : e.GetRawText();
            },
            TimeSpan.FromSeconds(seconds),
            $"artifact {id} finished")).RootElement;

    private async Task<ChildProcess> StartPythonTarget(int files = 300, int threads = 40, bool stacks = false)
    {
        var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "evidence_target.py"), Path.Combine(_directory, "held"), files.ToString(System.Globalization.CultureInfo.InvariantCulture), threads.ToString(System.Globalization.CultureInfo.InvariantCulture), stacks ? "stacks" : "none"],
            new Dictionary<string, string?> { ["STACKS_DIR"] = _directory });
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        return target;
    }

    private Task<AgentProcess> StartAgent(int pid, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Target:Pid"] = pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.200",
            ["Security:DiagnosticsToken"] = Token,
            ["Diagnostics:Directory"] = Path.Combine(_directory, "artifacts"),
            ["Diagnostics:StacksDirectory"] = _directory,
            ["Diagnostics:MinFreeBytes"] = "0",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return AgentProcess.Start(settings);
    }

    internal static HttpClient Authorized(AgentProcess agent)
    {
        var http = new HttpClient { BaseAddress = agent.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }
}
