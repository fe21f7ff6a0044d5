using System.Globalization;
using System.Text;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The federation rules of the README, each against a crafted exposition served by a real HTTP
/// listener: MetricsInclude, counters keep _total, histograms and summaries are dropped, nothing
/// shadows the agent's own target_* families, bodies over 4 MiB are refused.
/// </summary>
public sealed class FederationTests
{
    private const string Body = """
        # HELP app_requests_total Requests.
        # TYPE app_requests_total counter
        app_requests_total{path="/a"} 7
        app_requests_total{path="/b"} 11
        # TYPE app_temperature gauge
        app_temperature 21.5
        # TYPE app_latency_seconds histogram
        app_latency_seconds_bucket{le="1"} 1
        app_latency_seconds_bucket{le="+Inf"} 2
        app_latency_seconds_sum 1.5
        app_latency_seconds_count 2
        # TYPE app_rpc_seconds summary
        app_rpc_seconds{quantile="0.5"} 0.25
        app_rpc_seconds_sum 3
        app_rpc_seconds_count 12
        # TYPE process_open_fds gauge
        process_open_fds 987654
        # TYPE up gauge
        up 5
        # TYPE dotnet_gc_heap_size_bytes gauge
        dotnet_gc_heap_size_bytes 123456789
        # TYPE other_thing gauge
        other_thing 1

        """;

    [Fact]
    public async Task Include_filter_counter_suffix_no_histograms_or_summaries_and_no_shadowing()
    {
        await using var server = new FixedHttpServer(Body);
        await using var target = ChildProcess.Start("/bin/sleep", ["300"]);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(),
            ["Runtime:MetricsUrl"] = $"http://127.0.0.1:{server.Port}/metrics",
            // Would let every family through, if the shadowing rule did not stop some.
            ["Runtime:MetricsInclude"] = "^(app_|process_|up$|dotnet_)",
            ["Sampling:Interval"] = "00:00:00.250",
        });

        await Poll.Until(async () => (await agent.Metrics()).Value("target_runtime_connected", "runtime", "federated") == 1, TimeSpan.FromSeconds(15), "federated");
        var text = await agent.MetricsText();
        var m = Exposition.ParseStrict(text);

        // Included counter: still a counter, the _total suffix kept, labels kept.
        Assert.Contains("# TYPE target_app_requests_total counter", text, StringComparison.Ordinal);
        Assert.Equal(7, m.Value("target_app_requests_total", "path", "/a"));
        Assert.Equal(11, m.Value("target_app_requests_total", "path", "/b"));
        Assert.Equal(21.5, m.Value("target_app_temperature"));
        // Histograms and summaries: not re-exposed in any form.
        Assert.DoesNotContain(m, s => s.Name.StartsWith("target_app_latency", StringComparison.Ordinal) || s.Name.StartsWith("target_app_rpc", StringComparison.Ordinal));
        // Not included by the pattern.
        Assert.DoesNotContain(m, s => s.Name.Contains("other_thing", StringComparison.Ordinal));
        // No shadowing: the agent's own families keep their own values, once.
        Assert.Equal(Directory.GetFileSystemEntries($"/proc/{target.Pid}/fd").Length, Assert.Single(m.Named("target_process_open_fds")).Value);
        Assert.Equal(1, Assert.Single(m.Named("target_up")).Value);
        Assert.DoesNotContain(m, s => s.Value is 987654 or 123456789);
        Assert.DoesNotContain(m, s => s.Name == "target_dotnet_gc_heap_size_bytes");
    }

    [Fact]
    public async Task A_body_over_4_MiB_is_refused_and_one_under_it_is_taken()
    {
        // Lines of ~1 KiB (a long label value) keep the sample count far below the parser's cap.
        static string Exposition(int bytes)
        {
            var sb = new StringBuilder("# TYPE app_big gauge\n");
            var pad = new string('x', 1000);
            for (var i = 0; sb.Length < bytes - 1100; i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"app_big{{i=\"{i}\",pad=\"{pad}\"}} 1\n");
            }

            return sb.ToString();
        }

        const int limit = 4 * 1024 * 1024;
        await using var under = new FixedHttpServer(Exposition(limit - (64 * 1024)));
        await using var over = new FixedHttpServer(Exposition(limit + (64 * 1024)));
        Dictionary<string, string> Settings(int port) => new()
        {
            ["Runtime:MetricsUrl"] = $"http://127.0.0.1:{port}/metrics",
            ["Runtime:MetricsInclude"] = "^app_",
            ["Runtime:MetricsTimeout"] = "00:00:05",
            ["Sampling:Interval"] = "00:00:00.500",
        };
        await using var taken = await AgentProcess.Start(Settings(under.Port));
        await using var refused = await AgentProcess.Start(Settings(over.Port));

        await Poll.Until(async () => (await taken.Metrics()).Value("target_runtime_connected", "runtime", "federated") == 1, TimeSpan.FromSeconds(20), "the body under 4 MiB is federated");
        Assert.NotEmpty((await taken.Metrics()).Named("target_app_big"));
        await Poll.Until(() => over.Accepted >= 2, TimeSpan.FromSeconds(20), "the big body was fetched twice");
        var m = await refused.Metrics();
        Assert.Equal(0, m.Value("target_runtime_connected", "runtime", "federated"));
        Assert.Empty(m.Named("target_app_big"));
    }
}
