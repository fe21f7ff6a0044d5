using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>/api/status against a real target and a real Redis, checked against psutil and against the events the test itself caused.</summary>
public sealed class StatusApiTests
{
    private static async Task<JsonElement> Status(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync("/api/status")).RootElement.Clone();

    private static JsonElement Target(JsonElement status) => status.GetProperty("targets")[0];

    private static JsonElement Probe(JsonElement status, string name) =>
        status.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    private static double CpuTotal(JsonElement psutil) => psutil.GetProperty("cpu_user").GetDouble() + psutil.GetProperty("cpu_system").GetDouble();

    [Fact]
    public async Task History_follows_a_known_burst_of_work_and_a_probe_failure_with_its_reason()
    {
        await using var redis = await RedisServer.StartNew();
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "on_cue.py"), "2.0"]);
        await target.WaitForOutput("waiting", TimeSpan.FromSeconds(30));
        // 1 s ticks: no downsampling, so the CPU shares integrate back to the counter exactly.
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(),
            ["Sampling:Interval"] = "00:00:01",
            ["Probes:cache:Kind"] = "redis",
            ["Probes:cache:ConnectionString"] = redis.ConnectionString,
            ["Probes:cache:Period"] = "00:00:01",
        });

        await Poll.Until(async () => Target(await Status(agent.Http)).GetProperty("history").GetProperty("time").GetArrayLength() >= 2, TimeSpan.FromSeconds(15), "two points before the burst");
        var before = await Psutil.Read(target.Pid);
        await target.WriteLine("go");
        await target.WaitForOutput("done", TimeSpan.FromSeconds(30));
        var after = await Psutil.Read(target.Pid);
        var pointsAtDone = Target(await Status(agent.Http)).GetProperty("history").GetProperty("time").GetArrayLength();
        var status = (await Poll.Until(
            async () => await Status(agent.Http) is var s && Target(s).GetProperty("history").GetProperty("time").GetArrayLength() >= pointsAtDone + 2 ? s : (JsonElement?)null,
            TimeSpan.FromSeconds(15),
            "two points after the burst"))!.Value;

        var t = Target(status);
        Assert.Equal("app", t.GetProperty("name").GetString());
        Assert.True(t.GetProperty("up").GetBoolean());
        Assert.Equal(target.Pid, t.GetProperty("pid").GetInt32());
        Assert.Equal(after.GetProperty("create_time").GetDouble(), t.GetProperty("startedAt").GetDateTimeOffset().ToUnixTimeMilliseconds() / 1000.0, 0.02);

        var h = t.GetProperty("history");
        var times = h.GetProperty("time").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var cpu = h.GetProperty("cpuCores").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble()).ToArray();
        Assert.Equal(times.Length, cpu.Length);
        Assert.Equal(times.Length, h.GetProperty("rssBytes").GetArrayLength());
        Assert.True(times.Zip(times.Skip(1)).All(p => p.Second > p.First), "times increase");
        Assert.Null(cpu[0]); // the first tick of a process has no previous total
        Assert.All(cpu.Skip(1), c => Assert.NotNull(c));

        // Share × elapsed, summed, is the CPU time between the first and last point; the target was
        // idle outside the burst, so that is the burst psutil measured (±2 scheduler ticks).
        var integral = Enumerable.Range(1, times.Length - 1).Sum(i => cpu[i]!.Value * (times[i] - times[i - 1]) / 1000.0);
        Assert.Equal(CpuTotal(after) - CpuTotal(before), integral, 0.03);
        Assert.True(integral >= 1.9, $"the 2 s burst is in the series: {string.Join(", ", cpu)}"); // how fast it ran depends on the machine's load

        var rss = h.GetProperty("rssBytes").EnumerateArray().Last().GetInt64();
        var o = await Psutil.Read(target.Pid);
        Assert.InRange(rss, o.GetProperty("rss").GetInt64() * 0.98, o.GetProperty("rss").GetInt64() * 1.02);
        Assert.Equal(o.GetProperty("threads").GetInt64(), h.GetProperty("threads").EnumerateArray().Last().GetInt64());
        Assert.Equal(o.GetProperty("fds").GetInt64(), h.GetProperty("openFds").EnumerateArray().Last().GetInt64());
        Assert.False(h.TryGetProperty("heapBytes", out _)); // a Python target: no .NET series

        var cache = Probe(status, "cache");
        Assert.Equal("ok", cache.GetProperty("state").GetString());
        Assert.Equal("redis", cache.GetProperty("kind").GetString());
        Assert.True(cache.GetProperty("streak").GetInt64() >= 2);
        Assert.Contains(status.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "found" && e.GetProperty("detail").GetString()!.Contains($"pid {target.Pid}", StringComparison.Ordinal));

        await redis.Stop();
        var down = (await Poll.Until(
            async () => await Status(agent.Http) is var s && Probe(s, "cache") is var c && c.GetProperty("state").GetString() == "failing" && c.GetProperty("reason").GetString() == "refused"
                && c.GetProperty("history").GetProperty("reason").EnumerateArray().Last().GetString() == "refused" ? s : (JsonElement?)null,
            TimeSpan.FromSeconds(10),
            "probe failing with reason refused after redis stops, and in its history (picked up on the next tick)"))!.Value;
        var failing = Probe(down, "cache");
        Assert.Equal("refused", failing.GetProperty("reason").GetString());
        Assert.Equal("refused", failing.GetProperty("history").GetProperty("reason").EnumerateArray().Last().GetString());
        Assert.Equal("Unhealthy", down.GetProperty("ready").GetString());
        // The first failure may be the connection dropping mid-command ("error"); then a change to refused.
        var events = down.GetProperty("events").EnumerateArray().ToList();
        var cacheEvents = events.Where(e => e.GetProperty("subject").GetString() == "cache").ToList();
        Assert.Equal("failed", cacheEvents.Last().GetProperty("kind").GetString());
        Assert.Contains("refused", cacheEvents.First().GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Newest first, over events whose order this test caused: the target was found before
        // Redis was stopped, so its "found" comes after the probe's failure, and times never rise.
        var found = events.FindIndex(e => e.GetProperty("kind").GetString() == "found" && e.GetProperty("subject").GetString() == "app");
        var failed = events.FindIndex(e => e.GetProperty("kind").GetString() == "failed" && e.GetProperty("subject").GetString() == "cache");
        Assert.True(failed >= 0 && found > failed, $"the probe's failure (#{failed}) comes before the older 'found' (#{found})");
        var at = events.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.True(at.Zip(at.Skip(1)).All(p => p.First >= p.Second), "times fall from the first event to the last: " + string.Join(", ", at));
    }

    [Fact]
    public async Task With_a_token_the_page_and_the_api_take_it_as_bearer_or_as_basic_password()
    {
        const string token = "page-token-0123456789abcdef";
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Security:MetricsToken"] = token, ["Sampling:Interval"] = "00:00:00.200" });

        async Task<HttpResponseMessage> Get(string path, AuthenticationHeaderValue? auth)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = auth;
            return await agent.Http.SendAsync(request);
        }

        static AuthenticationHeaderValue Basic(string user, string password) =>
            new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

        using var page = await Get("/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.StartsWith("Basic realm=", page.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/status", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/status", Basic("admin", token[..^1]))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/status", new AuthenticationHeaderValue("Basic", "not base64!"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/api/status", new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(token))))).StatusCode); // no colon
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/status", new AuthenticationHeaderValue("Bearer", token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get("/api/status", Basic("anyone", token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get("/", Basic(string.Empty, token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get("/metrics", Basic("prometheus", token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get("/health", null)).StatusCode);

        // The token never comes back in a body.
        using var ok = await Get("/api/status", new AuthenticationHeaderValue("Bearer", token));
        Assert.DoesNotContain(token, await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
