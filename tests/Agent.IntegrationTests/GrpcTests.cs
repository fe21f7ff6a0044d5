using System.Net;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// Kind=grpc against a real gRPC server (Python's grpcio, Debian python3-grpcio) answering
/// grpc.health.v1.Health/Check: SERVING is healthy, NOT_SERVING and UNKNOWN are <c>unhealthy</c>,
/// a service it does not know is <c>unhealthy</c>, and a dead port is <c>refused</c>.
/// </summary>
public sealed class GrpcTests
{
    private static Dictionary<string, string> Grpc(string name, string address, string? service) => new Dictionary<string, string>
    {
        [$"Probes:{name}:Kind"] = "grpc",
        [$"Probes:{name}:Address"] = address,
        // A generous Timeout: on a loaded 2-core machine a healthy call to the Python server took
        // over 800 ms once and showed as a timeout (seen in a full suite run at load average ~35).
        [$"Probes:{name}:Period"] = "00:00:03",
        [$"Probes:{name}:Timeout"] = "00:00:03",
        [$"Probes:{name}:Critical"] = name == "whole" ? "true" : "false",
    }.Concat(service is null ? [] : [new KeyValuePair<string, string>($"Probes:{name}:Service", service)]).ToDictionary();

    [Fact]
    public async Task Serving_is_healthy_not_serving_and_unknown_are_unhealthy_and_a_dead_port_is_refused()
    {
        var port = Net.FreePort();
        await using var server = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "grpc_health.py"), port.ToString(), "=SERVING", "api=SERVING", "batch=NOT_SERVING", "warming=UNKNOWN"]);
        await server.WaitForOutput("ready", TimeSpan.FromSeconds(15));
        var address = $"http://127.0.0.1:{port}";

        await using var agent = await AgentProcess.Start(new[]
        {
            Grpc("whole", address, null),
            Grpc("api", address, "api"),
            Grpc("batch", address, "batch"),
            Grpc("warming", address, "warming"),
            Grpc("missing", address, "no-such-service"),
            Grpc("dead", $"http://127.0.0.1:{Net.FreePort()}", null),
        }.SelectMany(d => d).ToDictionary());

        await Poll.Until(
            async () => (await agent.Ready()).Code == HttpStatusCode.OK && await agent.ReadyReason("batch") is not null && await agent.ReadyReason("warming") is not null && await agent.ReadyReason("missing") is not null && await agent.ReadyReason("dead") is not null,
            TimeSpan.FromSeconds(20),
            "every grpc probe answered");

        Assert.Null(await agent.ReadyReason("whole"));
        Assert.Null(await agent.ReadyReason("api"));
        Assert.Equal("SERVING", (await agent.ReadyEntry("api")).GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("unhealthy", await agent.ReadyReason("batch"));
        Assert.Contains("NOT_SERVING", (await agent.ReadyEntry("batch")).GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("unhealthy", await agent.ReadyReason("warming"));
        Assert.Contains("UNKNOWN", (await agent.ReadyEntry("warming")).GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("unhealthy", await agent.ReadyReason("missing"));
        Assert.Equal("refused", await agent.ReadyReason("dead"));

        var metrics = await agent.Metrics();
        Assert.Equal(1, metrics.Value("agent_probe_success", "probe", "api"));
        Assert.Equal(0, metrics.Value("agent_probe_success", "probe", "batch"));
        Assert.True(metrics.Named("agent_probe_failures_total").Single(s => s["probe"] == "batch" && s["reason"] == "unhealthy").Value >= 1);
        Assert.Equal("grpc", metrics.Named("agent_probe_success").Single(s => s["probe"] == "batch")["kind"]);

        // The server going away is a transport failure, classified as for any probe.
        server.Kill();
        await Poll.Until(async () => await agent.ReadyReason("api") == "refused", TimeSpan.FromSeconds(10), "refused after the server stops");
    }
}
