using System.Net;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The whole pod, for real: a PID namespace made by the test (unshare + nsenter, pause as pid 1),
/// the app as the namespace's pid 2, an envoy-named mesh proxy, the agent with the chart's default
/// <c>Target:Auto=true</c>, and a container that starts late.
/// </summary>
public sealed class PodTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    // 3 intervals, the exporter's 300 ms response cache, and slack for a loaded shared machine.
    private static readonly TimeSpan Within3Intervals = (3 * Interval) + TimeSpan.FromSeconds(3);

    private static async Task<HttpStatusCode> Ready(AgentProcess agent)
    {
        using var r = await agent.Http.GetAsync("/ready");
        return r.StatusCode;
    }

    [Fact]
    public async Task A_meshed_pod_with_default_auto_watches_app_and_proxy_and_follows_restarts()
    {
        await using var pod = await Pod.Start();
        var (_, appPid) = await pod.Enter(pod.Program("app"), "300");
        Assert.Equal(2, Pod.NamespacePid(appPid)); // the app is pid 2 of the namespace, as in a pod
        var (_, envoyPid) = await pod.Enter(pod.Program("envoy"), "300");

        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Target:Auto"] = "true", ["Sampling:Interval"] = "00:00:00.500" },
            launcher: pod.Launcher);

        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                return m.Value("target_up", "target", "app") == 1 && m.Value("target_up", "target", "envoy") == 1;
            },
            TimeSpan.FromSeconds(15),
            "app and envoy up");
        await Poll.Until(async () => await Ready(agent) == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "/ready 200");
        var m = await agent.Metrics();
        // Pids as the pod sees them: the agent lives in the namespace.
        Assert.Equal("2", m.Named("target_process_info").Single(s => s["target"] == "app")["pid"]);
        Assert.Equal(Pod.NamespacePid(envoyPid).ToString(), m.Named("target_process_info").Single(s => s["target"] == "envoy")["pid"]);
        Assert.DoesNotContain(m.Named("target_up"), s => s["target"] is "pause" or "dotnet" or "agent");

        // Kill the app: /ready fails within 3 intervals (envoy alone must not keep the pod ready).
        Pod.Kill(appPid);
        await Poll.Until(async () => await Ready(agent) == HttpStatusCode.ServiceUnavailable, Within3Intervals, "/ready 503 after the app died");
        // (/metrics may answer from the exporter's 300 ms cache for a moment longer)
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up", "target", "app") == 0, TimeSpan.FromSeconds(2), "target_up{app} 0");

        // The container restarts: same name, one restart, ready again.
        var (_, newAppPid) = await pod.Enter(pod.Program("app"), "301");
        await Poll.Until(async () => await Ready(agent) == HttpStatusCode.OK, Within3Intervals, "/ready 200 after the restart");
        await Poll.Until(async () => (await agent.Metrics()).Value("target_restarts_total", "target", "app") == 1, TimeSpan.FromSeconds(5), "one restart of app");
        var after = await agent.Metrics();
        Assert.Equal(Pod.NamespacePid(newAppPid).ToString(), after.Named("target_process_info").Single(s => s["target"] == "app")["pid"]);
        Assert.Equal(0, after.Value("target_restarts_total", "target", "envoy"));
        Assert.DoesNotContain(after.Named("target_up"), s => s["target"] == "app-2");

        // A late sidecar is discovered within 3 intervals and logged.
        await pod.Enter(pod.Program("late-sidecar"), "300");
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up", "target", "late-sidecar") == 1, Within3Intervals, "late container discovered", TimeSpan.FromMilliseconds(50));
        Assert.Contains("Discovered target late-sidecar", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_is_optional_for_ready()
    {
        await using var pod = await Pod.Start();
        await pod.Enter(pod.Program("app"), "300");
        var (_, envoyPid) = await pod.Enter(pod.Program("envoy"), "300");
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Target:Auto"] = "true", ["Sampling:Interval"] = "00:00:00.500" },
            launcher: pod.Launcher);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up", "target", "envoy") == 1, TimeSpan.FromSeconds(15), "envoy up");

        Pod.Kill(envoyPid);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up", "target", "envoy") == 0, Within3Intervals, "envoy down");

        using var r = await agent.Http.GetAsync("/ready");
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("\"status\":\"Degraded\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_named_targets_count_their_restarts_separately()
    {
        await using var pod = await Pod.Start();
        await pod.Enter(pod.Program("alpha"), "300");
        var (_, betaPid) = await pod.Enter(pod.Program("beta"), "300");
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string>
            {
                ["Targets:a:ProcessName"] = "alpha",
                ["Targets:b:ProcessName"] = "beta",
                ["Sampling:Interval"] = "00:00:00.500",
            },
            launcher: pod.Launcher);
        await Poll.Until(async () => (await agent.Metrics()).Named("target_up").Count(s => s.Value == 1) == 2, TimeSpan.FromSeconds(15), "a and b up");

        Pod.Kill(betaPid);
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up", "target", "b") == 0, Within3Intervals, "b down");
        await pod.Enter(pod.Program("beta"), "301");
        await Poll.Until(async () => (await agent.Metrics()).Value("target_restarts_total", "target", "b") == 1, Within3Intervals, "b restarted once");

        var m = await agent.Metrics();
        Assert.Equal(0, m.Value("target_restarts_total", "target", "a"));
        Assert.Equal(1, m.Value("target_up", "target", "a"));
        Assert.Equal(["a", "b"], m.Named("target_up").Select(s => s["target"]).Order());
    }
}
