using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// gunicorn's own StatsD output (Debian's gunicorn 20.1 with a Flask app, <c>--statsd-host</c> at the
/// agent) turned into the traffic families, against a client that counts its own requests; what the
/// listener does with hostile input; and what <c>agent check</c> and <c>/diag/capabilities</c> say
/// about a target's traffic.
/// </summary>
public sealed class StatsdTrafficTests(ITestOutputHelper output)
{
    private const string Token = "statsd-test-token-0123456789";

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static ChildProcess Gunicorn(int port, int? statsd) => ChildProcess.Start(
        "gunicorn",
        ["-w", "2", "-b", $"127.0.0.1:{port}", .. statsd is { } u ? new[] { "--statsd-host", $"127.0.0.1:{u}" } : [], "--chdir", Repo.Targets, "traffic_app:app"]);

    private static double Received(List<Series> m, string result) =>
        m.SingleOrDefault(s => s.Name == "agent_statsd_received_total" && s["result"] == result)?.Value ?? 0;

    private static long RssKiB(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    [Fact]
    public async Task Gunicorn_requests_per_status_equal_the_clients_and_a_foreign_sender_goes_to_the_only_gunicorn_target()
    {
        var port = Net.FreePort();
        var statsd = FreeUdpPort();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Targets:web:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Targets:web:IncludeChildren"] = "true",
            ["Runtime:Dotnet:Enabled"] = "false",
            ["Sampling:Interval"] = "00:00:00.500",
            ["Traffic:StatsdPort"] = statsd.ToString(CultureInfo.InvariantCulture),
        });
        await using var gunicorn = Gunicorn(port, statsd);
        await Poll.Until(async () => (await agent.Metrics()).Any(s => s.Name == "target_up" && s["target"] == "web" && s.Value == 1), TimeSpan.FromSeconds(60), "gunicorn found by its port");

        using var client = new CountingClient();
        var url = (string path) => new Uri($"http://127.0.0.1:{port}{path}");
        await client.Run(
            Enumerable.Repeat((url("/ok"), "/ok"), 60).Concat(Enumerable.Repeat((url("/fail"), "/fail"), 20))
                .Concat(Enumerable.Repeat((url("/missing"), "/missing"), 10)).Concat(Enumerable.Repeat((url("/slow"), "/slow"), 4)),
            concurrency: 4);
        var byStatus = client.Counts.GroupBy(c => c.Key.Status).ToDictionary(g => g.Key, g => (double)g.Sum(c => c.Value));
        Assert.Equal([(200, 64.0), (404, 10.0), (500, 20.0)], byStatus.OrderBy(b => b.Key).Select(b => (b.Key, b.Value)));

        Dictionary<int, double> agentByStatus = [];
        IEnumerable<string> received = [];
        try
        {
            await Poll.Until(
                async () =>
                {
                    var seen = await agent.Metrics();
                    received = seen.Where(s => s.Name == "agent_statsd_received_total").Select(s => $"{s["result"]}={s.Value}");
                    agentByStatus = seen.Where(s => s.Name == "target_http_server_requests_total" && s["target"] == "web")
                        .ToDictionary(s => int.Parse(s["http_response_status_code"]!, CultureInfo.InvariantCulture), s => s.Value);
                    return agentByStatus.Count == byStatus.Count && byStatus.All(b => agentByStatus.GetValueOrDefault(b.Key) == b.Value);
                },
                TimeSpan.FromSeconds(30),
                "gunicorn's counts per status");
        }
        catch (TimeoutException e)
        {
            // What the agent counted and what its listener did with each line, for whoever reads the failure.
            throw new TimeoutException($"{e.Message}; agent: {string.Join(", ", agentByStatus.OrderBy(b => b.Key).Select(b => $"{b.Key}={b.Value}"))}; listener: {string.Join(", ", received)}", e);
        }
        var m = await agent.Metrics();
        Assert.Equal(byStatus.OrderBy(b => b.Key), agentByStatus.OrderBy(b => b.Key));
        var count = m.Single(s => s.Name == "target_http_server_request_duration_seconds_count" && s["target"] == "web");
        Assert.Equal(94, count.Value);
        Assert.Empty(count.Labels.Keys.Except(["target"])); // gunicorn sends no route, method or status with a duration
        Assert.True(m.Single(s => s.Name == "target_http_server_request_duration_seconds_sum" && s["target"] == "web").Value >= 4 * 0.3, "the slow requests' 300 ms are in the sum");
        // gunicorn sends its worker count when it changes (the first one went out before the agent knew the target): TTIN adds one.
        Assert.Equal(gunicorn.Pid.ToString(CultureInfo.InvariantCulture), m.Single(s => s.Name == "target_process_info" && s["target"] == "web")["pid"]);
        gunicorn.Signal(21); // SIGTTIN
        await Poll.Until(async () => (await agent.Metrics()).Any(s => s.Name == "target_gunicorn_workers" && s["target"] == "web" && s.Value == 3), TimeSpan.FromSeconds(30), "gunicorn's workers gauge at 3 after TTIN");

        // A sender outside every target's tree (this test): its gunicorn lines go to the only gunicorn target.
        using (var udp = new UdpClient())
        {
            udp.Connect(IPAddress.Loopback, statsd);
            for (var i = 0; i < 5; i++)
            {
                await udp.SendAsync(Encoding.ASCII.GetBytes("gunicorn.request.status.418:1|c|@1.0"));
            }
        }

        await Poll.Until(
            async () => (await agent.Metrics()).Any(s => s.Name == "target_http_server_requests_total" && s["http_response_status_code"] == "418" && s.Value == 5),
            TimeSpan.FromSeconds(20),
            "the foreign sender's five 418s counted for web");

        // The page shows the target's traffic.
        var status = JsonDocument.Parse(await agent.Http.GetStringAsync("/api/status")).RootElement;
        var traffic = status.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "web").GetProperty("history").GetProperty("traffic");
        Assert.Contains(traffic.GetProperty("requestsPerSecond").EnumerateArray(), v => v.ValueKind == JsonValueKind.Number && v.GetDouble() > 0);
    }

    [Fact]
    public async Task Garbage_oversized_unknown_and_a_flood_are_counted_and_dropped_with_bounded_memory()
    {
        var statsd = FreeUdpPort();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Runtime:Dotnet:Enabled"] = "false",
            ["Traffic:StatsdPort"] = statsd.ToString(CultureInfo.InvariantCulture),
        });
        using var udp = new UdpClient();
        udp.Connect(IPAddress.Loopback, statsd);
        await Poll.Until(async () => (await agent.Metrics()).Any(s => s.Name == "agent_statsd_received_total"), TimeSpan.FromSeconds(20), "the listener's counters");

        // Garbage: one line each (no newline, no colon); unknown: well-formed, not gunicorn's; oversized: 64 KiB.
        // Sent in batches the socket's buffer holds (the kernel drops beyond it), each counted before the next.
        var rng = new Random(32);
        var garbage = 0;
        for (var batch = 0; batch < 20; batch++)
        {
            for (var i = 0; i < 50; i++, garbage++)
            {
                var bytes = new byte[rng.Next(1, 1400)];
                rng.NextBytes(bytes);
                for (var j = 0; j < bytes.Length; j++)
                {
                    bytes[j] = bytes[j] is (byte)'\n' or (byte)':' or (byte)'\r' ? (byte)'x' : bytes[j];
                }

                bytes[0] = (byte)'x'; // not an empty line
                await udp.SendAsync(bytes);
            }

            var expected = garbage;
            await Poll.Until(async () => Received(await agent.Metrics(), "garbage") == expected, TimeSpan.FromSeconds(20), $"{expected} garbage lines counted");
        }

        for (var i = 0; i < 100; i++)
        {
            await udp.SendAsync("nginx.requests:1|c\ngunicorn.log.info:1|c"u8.ToArray());
        }

        await Poll.Until(async () => Received(await agent.Metrics(), "unknown") == 200, TimeSpan.FromSeconds(20), "200 unknown lines counted");
        var huge = new byte[65_000];
        Array.Fill(huge, (byte)'a');
        for (var i = 1; i <= 20; i++)
        {
            await udp.SendAsync(huge); // one at a time: three of these fill a default socket buffer
            var expected = i;
            await Poll.Until(async () => Received(await agent.Metrics(), "oversized") == expected, TimeSpan.FromSeconds(20), $"{expected} oversized datagrams counted");
        }

        Assert.Equal((1000.0, 200.0, 20.0), (Received(await agent.Metrics(), "garbage"), Received(await agent.Metrics(), "unknown"), Received(await agent.Metrics(), "oversized")));
        var baseline = RssKiB(agent.Process.Pid);

        // A flood for 5 s, aimed at 100 000 datagrams/s: garbage, unknown and unattributed gunicorn lines (no target is gunicorn).
        var payloads = new[] { "gunicorn.request.status.200:1|c|@1.0"u8.ToArray(), "garbage"u8.ToArray(), "other.metric:1|c"u8.ToArray(), "gunicorn.request.duration:12.5|ms"u8.ToArray() };
        long sent = 0;
        var clock = Stopwatch.StartNew();
        var peak = baseline;
        var flood = Enumerable.Range(0, 2).Select(t => Task.Factory.StartNew(
            () =>
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Connect(IPAddress.Loopback, statsd);
                var n = 0L;
                while (clock.Elapsed < TimeSpan.FromSeconds(5))
                {
                    // Paced to 50 000 a second per thread: ahead of schedule, yield.
                    if (n > clock.Elapsed.TotalSeconds * 50_000)
                    {
                        Thread.Yield();
                        continue;
                    }

                    try
                    {
                        s.Send(payloads[n % payloads.Length]);
                        n++;
                    }
                    catch (SocketException)
                    {
                        // ECONNREFUSED reported for an earlier datagram: the agent's socket must still be there (checked below)
                    }
                }

                Interlocked.Add(ref sent, n);
            },
            TaskCreationOptions.LongRunning)).ToArray();
        var healthDuringFlood = new List<System.Net.HttpStatusCode>();
        while (!Task.WhenAll(flood).IsCompleted)
        {
            peak = Math.Max(peak, RssKiB(agent.Process.Pid));
            using var r = await agent.Http.GetAsync("/health");
            healthDuringFlood.Add(r.StatusCode);
            await Task.WhenAny(Task.WhenAll(flood), Task.Delay(200));
        }

        await Task.WhenAll(flood);
        var seconds = clock.Elapsed.TotalSeconds;
        // The agent drains its socket's backlog after the senders stop: wait until its counts hold
        // still for a second (the exporter may answer from a collection up to 300 ms old).
        (double Total, DateTime At)? settled = null;
        var after = await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                var total = new[] { "accepted", "unknown", "garbage", "oversized", "unattributed" }.Sum(r => Received(m, r));
                if (total == 0 || settled is not { } s || s.Total != total)
                {
                    settled = (total, DateTime.UtcNow);
                    return null;
                }

                return DateTime.UtcNow - s.At >= TimeSpan.FromSeconds(1) ? m : null;
            },
            TimeSpan.FromSeconds(30),
            "the counters after the flood holding still for 1 s");
        var counted = new[] { "unknown", "garbage", "unattributed" }.Sum(r => Received(after, r)) - 1000 - 200;
        var rss = RssKiB(agent.Process.Pid);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flood: {sent} datagrams in {seconds:0.0} s ({sent / seconds:0} /s), {counted} lines counted by the agent (the kernel drops what its socket buffer cannot hold); RSS {baseline} kB before, peak {peak} kB, {rss} kB after; /health {healthDuringFlood.Count(c => c == System.Net.HttpStatusCode.OK)}/{healthDuringFlood.Count} OK during"));

        Assert.False(agent.Process.HasExited);
        Assert.All(healthDuringFlood, c => Assert.Equal(System.Net.HttpStatusCode.OK, c));
        Assert.InRange(counted, 1, sent);
        Assert.Equal(0, Received(after, "accepted"));
        Assert.True(peak - baseline < 16 * 1024, $"RSS grew {peak - baseline} kB during the flood");

        // Still listening and counting correctly afterwards.
        var garbageBefore = Received(after, "garbage");
        await udp.SendAsync("still here"u8.ToArray());
        await Poll.Until(async () => Received(await agent.Metrics(), "garbage") == garbageBefore + 1, TimeSpan.FromSeconds(10), "one more garbage line counted");
    }

    [Fact]
    public async Task Check_and_capabilities_say_whether_traffic_flows_and_why_not()
    {
        var statsd = FreeUdpPort();

        // gunicorn without --statsd-host while the listener is on: a problem, with the flag to add.
        var port = Net.FreePort();
        await using (var plain = Gunicorn(port, null))
        {
            await Poll.Until(async () => { using var c = new TcpClient(); await c.ConnectAsync(IPAddress.Loopback, port); return true; }, TimeSpan.FromSeconds(30), "gunicorn listening");
            var run = await AgentCheck.Run(["check", "--output", "json", $"--Target:Port={port}", $"--Traffic:StatsdPort={statsd}", "--Runtime:Dotnet:Enabled=false"]);
            var item = TrafficItem(run.Json);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal("Unavailable", item.GetProperty("status").GetString());
            Assert.Contains($"--statsd-host 127.0.0.1:{statsd}", item.GetProperty("fix").GetString(), StringComparison.Ordinal);
        }

        // With the flag: fine.
        port = Net.FreePort();
        await using (var flagged = Gunicorn(port, statsd))
        {
            await Poll.Until(async () => { using var c = new TcpClient(); await c.ConnectAsync(IPAddress.Loopback, port); return true; }, TimeSpan.FromSeconds(30), "gunicorn listening");
            var run = await AgentCheck.Run(["check", "--output", "json", $"--Target:Port={port}", $"--Traffic:StatsdPort={statsd}", "--Runtime:Dotnet:Enabled=false"]);
            Assert.Equal("Available", TrafficItem(run.Json).GetProperty("status").GetString());
        }

        // A Kestrel app: ASP.NET Core loaded; a console app: none (not a problem).
        await using var web = await WebTarget.Start();
        var webCheck = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={web.Pid}"]);
        Assert.Equal("Available", TrafficItem(webCheck.Json).GetProperty("status").GetString());
        Assert.Contains("ASP.NET Core", TrafficItem(webCheck.Json).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await using (var console = await DotnetTarget.Start())
        {
            var consoleCheck = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={console.Pid}"]);
            Assert.Equal("NotApplicable", TrafficItem(consoleCheck.Json).GetProperty("status").GetString());
            Assert.Contains("without ASP.NET Core", TrafficItem(consoleCheck.Json).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The running agent says what its session saw: flowing, with the count.
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = web.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.500",
            ["Security:DiagnosticsToken"] = Token,
        });
        // Requests served before the session delivers are counted by nobody (failed once at load 50: the 25 went out first).
        await TrafficTests.Connected(agent);
        using var client = new CountingClient();
        await client.Run(Enumerable.Repeat((web.Url("/ok"), "/ok"), 25));
        using var http = new HttpClient { BaseAddress = agent.Http.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        var live = await Poll.Until(
            async () =>
            {
                var caps = JsonDocument.Parse(await http.GetStringAsync("/diag/capabilities")).RootElement.EnumerateArray().Single();
                var t = caps.GetProperty("access").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "traffic");
                var detail = t.GetProperty("detail").GetString()!;
                return detail.StartsWith("flowing: 25 requests", StringComparison.Ordinal) ? new[] { t.GetProperty("status").GetString()!, detail } : null;
            },
            TimeSpan.FromSeconds(60),
            "capabilities: traffic flowing, 25 requests");
        Assert.Equal("Available", live[0]);
        Assert.Contains(TrafficMeter(), live[1], StringComparison.Ordinal);
    }

    private static string TrafficMeter() => "Microsoft.AspNetCore.Hosting";

    private static JsonElement TrafficItem(JsonElement report) =>
        report.GetProperty("targets").EnumerateArray().Single().GetProperty("capabilities").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "traffic");
}
