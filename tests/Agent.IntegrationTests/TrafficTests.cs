using System.Globalization;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The app's own traffic, read with no change to the app: a real Kestrel app (tests/WebTarget)
/// whose ASP.NET Core, HttpClient and DNS meters reach the agent over the runtime's metrics
/// session, checked against a load generator that counts its own requests and against a local
/// upstream server's own access log.
/// </summary>
public sealed class TrafficTests
{
    private const string Duration = "target_http_server_request_duration_seconds";

    private static readonly Dictionary<string, string> Fast = new() { ["Sampling:Interval"] = "00:00:00.500" };

    private static IEnumerable<(Uri, string)> Repeat(Uri url, string countAs, int n) => Enumerable.Repeat((url, countAs), n);

    /// <summary>The agent's request count per (route, status) of the target, from <c>_count</c> of the duration summary.</summary>
    private static Dictionary<(string Route, int Status), double> ServerCounts(List<Series> metrics) =>
        metrics.Where(s => s.Name == Duration + "_count" && s["http_route"] is not null)
            .ToDictionary(s => (s["http_route"]!, int.Parse(s["http_response_status_code"]!, CultureInfo.InvariantCulture)), s => s.Value);

    private static string Diff(IReadOnlyDictionary<(string, int), long> client, Dictionary<(string Route, int Status), double> agent) =>
        string.Join("; ", client.Keys.Select(k => (k.Item1, k.Item2)).Union(agent.Keys).Order()
            .Select(k => $"{k.Item1} {k.Item2}: client {client.GetValueOrDefault(k)}, agent {agent.GetValueOrDefault(k)}"));

    /// <summary>Until the agent's .NET session delivers: requests before it are counted by nobody.</summary>
    internal static async Task Connected(AgentProcess agent) => await Poll.Until(
        async () => (await agent.Metrics()).Any(s => s.Name == "target_runtime_connected" && s["runtime"] == "dotnet" && s.Value == 1),
        TimeSpan.FromSeconds(60),
        "the agent's .NET session delivering (target_runtime_connected{runtime=\"dotnet\"} 1)");

    [Fact]
    public async Task Requests_per_route_and_status_equal_the_clients_own_counts_errors_only_on_the_500_route_and_the_slow_route_is_slow()
    {
        await using var upstream = new ScriptedHttpServer();
        await using var web = await WebTarget.Start();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(Fast) { ["Target:Pid"] = web.Pid.ToString(CultureInfo.InvariantCulture) });
        await Connected(agent);

        // The slow route runs beside the rest; the agent's quantiles belong to an interval, so they are read while it runs.
        using var client = new CountingClient();
        using var stop = new CancellationTokenSource();
        var slow = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await client.Run(Repeat(web.Url("/slow"), "/slow", 2), concurrency: 2);
            }
        });
        var calls = 40;
        var mix = Repeat(web.Url("/ok"), "/ok", 400)
            .Concat(Repeat(web.Url("/fail"), "/fail", 150))
            .Concat(Enumerable.Range(0, 200).Select(i => (web.Url($"/items/{i}"), "/items/{id}")))
            .Concat(Repeat(web.Url(string.Create(CultureInfo.InvariantCulture, $"/call?url=http://localhost:{upstream.Port}/status/200")), "/call", calls))
            .OrderBy(_ => Random.Shared.Next())
            .ToList();
        var load = client.Run(mix, concurrency: 8);

        double slowP50 = double.NaN, okP50 = double.NaN;
        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                var s = m.FirstOrDefault(x => x.Name == Duration && x["http_route"] == "/slow" && x["quantile"] == "0.5" && !double.IsNaN(x.Value));
                var o = m.FirstOrDefault(x => x.Name == Duration && x["http_route"] == "/ok" && x["quantile"] == "0.5" && !double.IsNaN(x.Value));
                slowP50 = s?.Value ?? slowP50;
                okP50 = o?.Value ?? okP50;
                return !double.IsNaN(slowP50) && !double.IsNaN(okP50);
            },
            TimeSpan.FromSeconds(60),
            "an interval's median of /slow and of /ok");
        await load;
        await stop.CancelAsync();
        await slow;

        var counts = client.Counts;
        var agentCounts = new Dictionary<(string Route, int Status), double>();
        await Poll.Until(
            async () =>
            {
                agentCounts = ServerCounts(await agent.Metrics());
                return counts.All(c => agentCounts.GetValueOrDefault((c.Key.Path, c.Key.Status)) == c.Value) && agentCounts.Count == counts.Count;
            },
            TimeSpan.FromSeconds(30),
            "the agent's counts per route and status to reach the client's");

        // Equal after a later interval too (nothing counted twice), and exactly the client's.
        var before = (await agent.Metrics()).First(s => s.Name == "target_dotnet_threadpool_completed_items_total").Value;
        await Poll.Until(async () => (await agent.Metrics()).First(s => s.Name == "target_dotnet_threadpool_completed_items_total").Value > before, TimeSpan.FromSeconds(20), "a later interval");
        var metrics = await agent.Metrics();
        agentCounts = ServerCounts(metrics);
        Assert.True(counts.Count == agentCounts.Count && counts.All(c => agentCounts.GetValueOrDefault((c.Key.Path, c.Key.Status)) == c.Value), Diff(counts, agentCounts));
        Assert.Equal(150, counts[("/fail", 500)]);

        // Errors: 5xx on /fail only, and requests_total by status sums the same requests.
        Assert.All(agentCounts.Keys.Where(k => k.Status >= 500), k => Assert.Equal("/fail", k.Route));
        var byStatus = metrics.Where(s => s.Name == "target_http_server_requests_total").ToDictionary(s => int.Parse(s["http_response_status_code"]!, CultureInfo.InvariantCulture), s => s.Value);
        Assert.Equal(counts.Where(c => c.Key.Status == 500).Sum(c => c.Value), byStatus[500]);
        Assert.Equal(counts.Where(c => c.Key.Status == 200).Sum(c => c.Value), byStatus[200]);

        // Latency: the slow route's median at least 300 ms, the fast one's far below; the means agree.
        Assert.True(slowP50 >= 0.3, $"/slow p50 {slowP50}");
        Assert.True(okP50 < 0.3, $"/ok p50 {okP50}");
        double Mean(string route) => metrics.Single(s => s.Name == Duration + "_sum" && s["http_route"] == route).Value / agentCounts.Where(k => k.Key.Route == route).Sum(k => k.Value);
        Assert.InRange(Mean("/slow"), 0.3, 30);
        Assert.True(Mean("/ok") < 0.3, $"/ok mean {Mean("/ok")}");

        // Outbound: the client-side count equals what the upstream server itself received.
        var upstreamCount = upstream.Requests.Count(r => r.StartsWith("GET /status/200 ", StringComparison.Ordinal));
        Assert.Equal(calls, upstreamCount);
        var outbound = metrics.Where(s => s.Name == "target_http_client_request_duration_seconds_count" && s["server_address"] == "localhost").Sum(s => s.Value);
        Assert.Equal(upstreamCount, outbound);
        Assert.Contains(metrics, s => s.Name == "target_dns_lookup_duration_seconds_count" && s["dns_question_name"] == "localhost" && s.Value >= 1);
        Assert.Contains(metrics, s => s.Name == "target_kestrel_active_connections");

        // Every traffic metric a trigger can watch is a family this target's agent exports.
        var text = await agent.MetricsText();
        var names = metrics.Select(s => s.Name).Concat(Families.Types(text).Keys).ToHashSet();
        Assert.All(Agent.Configuration.TriggerMetricCatalog.Names.Where(n => n.StartsWith("target_http_", StringComparison.Ordinal)), n => Assert.Contains(n.Split('{')[0], names));

        // The whole body, summaries included, passes Prometheus' own linter.
        var (exit, output) = await Exposition.Promtool(text);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task An_app_that_starts_serving_after_the_agent_attached_is_picked_up_by_the_same_session()
    {
        await using var web = await WebTarget.Start(defer: true);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(Fast) { ["Target:Pid"] = web.Pid.ToString(CultureInfo.InvariantCulture) });
        await Connected(agent);
        Assert.DoesNotContain(await agent.Metrics(), s => s.Name.StartsWith("target_http_server_", StringComparison.Ordinal));

        await web.Serve(); // the ASP.NET Core meters are created now, after the session began
        using var client = new CountingClient();
        await client.Run(Repeat(web.Url("/ok"), "/ok", 50).Concat(Repeat(web.Url("/fail"), "/fail", 7)));

        await Poll.Until(
            async () => ServerCounts(await agent.Metrics()) is var c && c.GetValueOrDefault(("/ok", 200)) == 50 && c.GetValueOrDefault(("/fail", 500)) == 7,
            TimeSpan.FromSeconds(30),
            "the late server's requests counted (50 × /ok, 7 × /fail)");
        Assert.Single(agent.Process.Stdout.Split('\n').Concat(agent.Process.Stderr.Split('\n')), l => l.Contains("Attached to the .NET runtime", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ten_thousand_raw_paths_on_one_route_template_are_one_series()
    {
        await using var web = await WebTarget.Start();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(Fast) { ["Target:Pid"] = web.Pid.ToString(CultureInfo.InvariantCulture) });
        await Connected(agent);

        using var client = new CountingClient();
        await client.Run(Enumerable.Range(0, 10_000).Select(i => (web.Url($"/items/{i}-{Guid.NewGuid():N}"), "/items/{id}")), concurrency: 16);
        Assert.Equal(10_000, client.Counts[("/items/{id}", 200)]);

        var metrics = await Poll.Until(
            async () => await agent.Metrics() is var m && m.Any(s => s.Name == Duration + "_count" && s.Value == 10_000) ? m : null,
            TimeSpan.FromSeconds(30),
            "10 000 requests counted");
        var series = metrics.Where(s => s.Name == Duration + "_count").ToList();
        var one = Assert.Single(series);
        Assert.Equal("/items/{id}", one["http_route"]);
        Assert.DoesNotContain(metrics, s => s.Labels.Values.Any(v => v.StartsWith("/items/", StringComparison.Ordinal) && v != "/items/{id}"));
    }

    [Fact]
    public async Task A_cap_of_N_series_keeps_N_and_counts_every_other_request_in_an_overflow_series_said_once()
    {
        const int Cap = 8;
        await using var web = await WebTarget.Start();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(Fast)
        {
            ["Target:Pid"] = web.Pid.ToString(CultureInfo.InvariantCulture),
            ["Traffic:MaxSeries"] = Cap.ToString(CultureInfo.InvariantCulture),
        });
        await Connected(agent);

        // 40 status codes on one route: 40 label sets of the duration, 40 of requests by status.
        using var client = new CountingClient();
        await client.Run(Enumerable.Range(200, 40).SelectMany(code => Repeat(web.Url($"/status/{code}"), "/status/{code}", 3)), concurrency: 8);
        var sent = client.Total;
        Assert.Equal(120, sent);

        var metrics = await Poll.Until(
            // Both parts of the body: the summaries are written fresh on every scrape, the counters come
            // from the exporter, which may answer from its cached collection (up to 300 ms old).
            async () => await agent.Metrics() is var m && m.Where(s => s.Name == Duration + "_count").Sum(s => s.Value) == sent
                && m.Where(s => s.Name == "target_http_server_requests_total").Sum(s => s.Value) == sent ? m : null,
            TimeSpan.FromSeconds(30),
            "every request counted in the summaries and by status, the overflow included");

        // Every traffic series of the target but the overflow ones: exactly the cap (summaries count once).
        var traffic = metrics.Where(s => s.Labels.ContainsKey("target") && IsTraffic(s.Name) && !s.Name.EndsWith("_sum", StringComparison.Ordinal) && !s.Labels.ContainsKey("quantile")).ToList();
        var kept = traffic.Where(s => !s.Labels.ContainsKey("otel_metric_overflow")).ToList();
        static string Show(IEnumerable<Series> series) => string.Join("; ", series.Select(s => s.Name + "{" + string.Join(",", s.Labels.Where(l => l.Key != "target").Select(l => l.Key + "=" + l.Value)) + "} " + s.Value));
        Assert.True(kept.Count == Cap, $"{kept.Count} series kept, not {Cap}: {Show(kept)}; all: {Show(metrics.Where(s => s.Name.Contains("requests", StringComparison.Ordinal)))}");
        Assert.Contains(traffic, s => s.Name == Duration + "_count" && s["otel_metric_overflow"] == "true" && s.Value > 0);
        Assert.Equal(sent, metrics.Where(s => s.Name == "target_http_server_requests_total").Sum(s => s.Value));
        await Poll.Until(() => agent.Process.Stderr.Contains("Traffic:MaxSeries", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the cap logged");
        Assert.Equal(1, agent.Process.Stderr.Split('\n').Count(l => l.Contains("more traffic series than Traffic:MaxSeries", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_p99_trigger_fires_on_the_slow_route()
    {
        await using var web = await WebTarget.Start();
        var dir = Directory.CreateTempSubdirectory("traffic-trigger-").FullName;
        try
        {
            await using var agent = await AgentProcess.Start(new Dictionary<string, string>(Fast)
            {
                ["Target:Pid"] = web.Pid.ToString(CultureInfo.InvariantCulture),
                ["Security:DiagnosticsToken"] = "traffic-test-token-0123456789",
                ["Diagnostics:Directory"] = dir,
                ["Triggers:slow:Metric"] = "target_http_server_request_duration_seconds{quantile=\"0.99\"}",
                ["Triggers:slow:Above"] = "0.25",
                ["Triggers:slow:Actions"] = "snapshot",
            });
            await Connected(agent);
            using var client = new CountingClient();
            await client.Run(Repeat(web.Url("/ok"), "/ok", 100), concurrency: 4);
            Assert.DoesNotContain(await agent.Metrics(), s => s.Name == "agent_trigger_firings_total" && s.Value > 0);

            using var stop = new CancellationTokenSource();
            var slow = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await client.Run(Repeat(web.Url("/slow"), "/slow", 2), concurrency: 2);
                }
            });
            await Poll.Until(
                async () => (await agent.Metrics()).Any(s => s.Name == "agent_trigger_firings_total" && s["trigger"] == "slow" && s.Value == 1),
                TimeSpan.FromSeconds(30),
                "the p99 trigger fired");
            await stop.CancelAsync();
            await slow;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_the_summaries_and_the_shipped_rules_see_the_error_ratio()
    {
        await using var web = await WebTarget.Start();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(Fast) { ["Target:Pid"] = web.Pid.ToString(CultureInfo.InvariantCulture) });
        await Connected(agent);
        await using var prometheus = await PrometheusServer.Start(agent.Port);
        async Task<List<(Dictionary<string, string> Labels, double Value)>> Query(string promql) =>
            [.. (await prometheus.Query(promql)).EnumerateArray().Select(r => (
                r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];

        await Poll.Until(async () => (await Query("up{job=\"sidecar-agent\"} == 1")).Count == 1, TimeSpan.FromSeconds(30), "Prometheus scraping the agent");

        // Two rounds a few seconds apart, so that rate() has two samples with traffic between them.
        using var client = new CountingClient();
        await client.Run(Repeat(web.Url("/ok"), "/ok", 60).Concat(Repeat(web.Url("/fail"), "/fail", 40)));
        await Poll.Until(async () => (await Query("target_http_server_requests_total{http_response_status_code=\"500\"} == 40")).Count == 1, TimeSpan.FromSeconds(30), "Prometheus has the first 40 failures");
        await client.Run(Repeat(web.Url("/ok"), "/ok", 60).Concat(Repeat(web.Url("/fail"), "/fail", 40)));

        var fail = await Poll.Until(
            async () => await Query("target_http_server_request_duration_seconds_count{http_route=\"/fail\"}") is [var one] && one.Value == 80 ? one.Labels : null,
            TimeSpan.FromSeconds(30),
            "Prometheus scraped /fail's count (the summary written beside the exporter's body) at 80");
        Assert.Equal(("app", "500", "GET"), (fail["target"], fail["http_response_status_code"], fail["http_request_method"]));
        var ratio = await Poll.Until(
            async () => await Query("target:http_server_errors:ratio_rate5m{target=\"app\"}") is [var r] && r.Value > 0 ? (double?)r.Value : null,
            TimeSpan.FromSeconds(30),
            "the shipped error-ratio rule evaluated on the scraped counters");
        Assert.InRange(ratio!.Value, 0.1, 0.9);
        var rules = System.Text.Json.JsonDocument.Parse(await prometheus.Api.GetStringAsync("/api/v1/rules")).RootElement.GetProperty("data").GetProperty("groups")
            .EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.All(rules, r => Assert.Equal("ok", r.GetProperty("health").GetString()));
    }

    private static bool IsTraffic(string name) =>
        name.StartsWith("target_http_", StringComparison.Ordinal) || name.StartsWith("target_kestrel_", StringComparison.Ordinal) || name.StartsWith("target_dns_", StringComparison.Ordinal);
}
