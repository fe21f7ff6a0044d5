using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The shipped artifacts, checked the way their ecosystems check them: promtool for the
/// Prometheus config and rules, the Kubernetes schema for the chart's manifests, a real
/// Prometheus scraping a real agent, and the dashboard against a live /metrics.
/// </summary>
public sealed partial class DeploymentArtifactsTests
{
    [Fact]
    public async Task Promtool_checks_the_config_and_the_rules_and_runs_their_unit_tests()
    {
        var config = await Tool.Run("promtool", ["check", "config", "docker/prometheus/prometheus.yml"]);
        var rules = await Tool.Run("promtool", ["check", "rules", "charts/agent/files/agent-rules.yaml"]);
        var tests = await Tool.Run("promtool", ["test", "rules", "tests/prometheus/agent-rules.test.yaml"]);

        Assert.True(config.ExitCode == 0, config.Output);
        Assert.True(rules.ExitCode == 0, rules.Output);
        Assert.True(tests.ExitCode == 0, tests.Output);
        Assert.Contains("SUCCESS", tests.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chart_values_match_their_schema_and_the_example_manifests_the_kubernetes_schema()
    {
        var dir = Path.Combine(Repo.Root, "tests", "manifests");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            var install = await Tool.Run("npm", ["ci", "--no-audit", "--no-fund"], dir);
            Assert.True(install.ExitCode == 0, install.Output);
        }

        var check = await Tool.Run("node", ["check.mjs"], dir);

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("all manifest checks passed", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dockerfiles_publish_command_and_environment_give_a_binary_that_serves_on_its_url()
    {
        // NativeBuild ran the Dockerfile's publish line (its arguments, our output directory).
        var binary = await NativeBuild.Binary();
        Assert.Equal("/app/agent", ShippedDockerfile.Entrypoint);
        Assert.Equal(["/out", "linux-x64"], ShippedDockerfile.PublishArguments);
        Assert.True(File.Exists(binary), binary);
        Assert.Equal("app", ShippedDockerfile.User);

        // Started with exactly the Dockerfile's ENV (no --urls): it listens where ASPNETCORE_URLS
        // says, on the port EXPOSE names. Only the interface and port are made loopback/free.
        var env = ShippedDockerfile.Environment;
        var exposed = Assert.Single(ShippedDockerfile.ExposedPorts);
        Assert.Equal($"http://+:{exposed}", env["ASPNETCORE_URLS"]);
        var port = Net.FreePort();
        var environment = env.ToDictionary(e => e.Key, string? (e) => e.Value);
        environment["ASPNETCORE_URLS"] = env["ASPNETCORE_URLS"].Replace($"+:{exposed}", $"127.0.0.1:{port}", StringComparison.Ordinal);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(), env: environment, port: port, urlArgument: false);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_the_agent_loads_the_rules_and_the_dashboard_uses_only_real_metrics()
    {
        await using var target = await DotnetTarget.Start();
        await using var hole = new Blackhole();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(),
            ["Sampling:Interval"] = "00:00:00.500",
            ["Probes:dep:Kind"] = "tcp",
            ["Probes:dep:Host"] = "127.0.0.1",
            ["Probes:dep:Port"] = hole.Port.ToString(),
            ["Probes:dep:Period"] = "00:00:01",
            ["Probes:dep:Expect"] = "+OK", // the listener never answers: every check times out
        });
        await target.Command("gc 1");
        await Poll.Until(async () => (await agent.Metrics()).Any(s => s.Name == "target_dotnet_gc_pause_ratio"), TimeSpan.FromSeconds(15), "all metric families present");

        // Every metric name a dashboard query uses is exported by the running agent.
        var live = (await agent.Metrics()).Select(s => s.Name).ToHashSet();
        live.Add("up"); // Prometheus's own
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "docker", "grafana", "dashboards", "sidecar-agent.json")));
        var exprs = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Concat(dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("query").GetString()!))
            .ToList();
        var used = exprs.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet();
        Assert.True(exprs.Count > 15);
        Assert.Empty(used.Except(live));

        // A real Prometheus scraping the agent, with the shipped rules.
        await using var prometheus = await PrometheusServer.Start(agent.Port);

        await Poll.Until(async () => (await prometheus.Query("up{job=\"sidecar-agent\"} == 1")).GetArrayLength() == 1, TimeSpan.FromSeconds(30), "up == 1");
        await Poll.Until(async () => (await prometheus.Query("target_up == 1")).GetArrayLength() == 1, TimeSpan.FromSeconds(10), "target_up == 1");
        await Poll.Until(async () => (await prometheus.Query("target_dotnet_gc_collections_total{generation=\"gen2\"}")).GetArrayLength() == 1, TimeSpan.FromSeconds(10), "runtime counters scraped");

        // Rules loaded and evaluating without errors: every rule of the shipped file.
        var shipped = File.ReadLines(Path.Combine(Repo.Root, "charts", "agent", "files", "agent-rules.yaml"))
            .Count(l => l.TrimStart().StartsWith("- alert:", StringComparison.Ordinal) || l.TrimStart().StartsWith("- record:", StringComparison.Ordinal));
        await Poll.Until(
            async () =>
            {
                var rules = JsonDocument.Parse(await prometheus.Api.GetStringAsync("/api/v1/rules")).RootElement.GetProperty("data").GetProperty("groups")
                    .EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
                return rules.Count == shipped
                    && rules.All(r => r.GetProperty("health").GetString() == "ok" && (!r.TryGetProperty("lastError", out var e) || e.GetString() is null or ""));
            },
            TimeSpan.FromSeconds(15),
            "every shipped rule healthy");
        await Poll.Until(async () => (await prometheus.Query("agent:probe_failure_ratio:avg5m{probe=\"dep\"} == 1")).GetArrayLength() == 1, TimeSpan.FromSeconds(10), "the hung probe is recorded as failing");

        // Values, not only names, as Prometheus stored them, against sources that are not the
        // agent: the kernel's start time and fd limit of the target, and the target's own GC count.
        async Task<double> Value(string promql) =>
            double.Parse((await prometheus.Query(promql))[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(await Kernel.StartTime(target.Pid), await Value("target_process_start_time_seconds"), 0.02);
        Assert.Equal(Kernel.MaxOpenFiles(target.Pid), await Value("target_process_max_fds"));
        var own = await target.Command("gc 2");
        await Poll.Until(async () => await Value("target_dotnet_gc_collections_total{generation=\"gen2\"}") == own["gen2"], TimeSpan.FromSeconds(15), $"Prometheus's gen2 count reaches the target's own ({own["gen2"]})");
        Assert.Equal(0, await Value("agent_probe_success{probe=\"dep\"}"));
    }

    [Fact]
    public void The_dashboard_selects_and_tells_apart_targets_by_the_target_label()
    {
        // One agent watches several targets: a panel that did not select by target, or aggregated
        // it away, would draw two targets as one line.
        var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "docker", "grafana", "dashboards", "sidecar-agent.json"))).RootElement;
        var variable = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "target");
        Assert.Equal("label_values(target_up{job=~\"$job\", instance=~\"$instance\"}, target)", variable.GetProperty("query").GetString());
        Assert.True(variable.GetProperty("multi").GetBoolean() && variable.GetProperty("includeAll").GetBoolean());

        var queries = dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString(), Expr: t.GetProperty("expr").GetString()!, Legend: t.GetProperty("legendFormat").GetString()!)))
            .Where(q => TargetSeries().IsMatch(q.Expr))
            .ToList();
        Assert.True(queries.Count > 15, $"{queries.Count} queries read target_* series");
        foreach (var (panel, expr, legend) in queries)
        {
            foreach (Match selector in TargetSeries().Matches(expr))
            {
                Assert.True(selector.Groups["labels"].Value.Contains("target=~\"$target\"", StringComparison.Ordinal), $"{panel}: {selector.Value} does not select $target");
            }

            foreach (Match by in Aggregation().Matches(expr))
            {
                Assert.True(by.Groups["labels"].Value.Split(',', StringSplitOptions.TrimEntries).Contains("target"), $"{panel}: {by.Value} aggregates the target label away");
            }

            Assert.Contains("{{target}}", legend, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\btarget_[a-z0-9_]+\{(?<labels>[^}]*)\}")]
    private static partial Regex TargetSeries();

    [GeneratedRegex(@"\b(?:sum|avg|max|min|count)\s+by\s*\((?<labels>[^)]*)\)")]
    private static partial Regex Aggregation();

    // Metric names in PromQL: identifiers that are not functions, keywords, labels or variables.
    [GeneratedRegex(@"(?<![\w$""{=~.])(?:target_|agent_|process_|dotnet_|up\b)[a-zA-Z0-9_:]*(?![\w(""])")]
    private static partial Regex MetricName();
}
