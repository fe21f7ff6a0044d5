using System.Diagnostics;
using System.Net;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// A Redis probe names the cause of a failure against a real redis-server: a rotated password or
/// a wrong ACL user is <c>auth</c>, a listener that accepts and never answers is <c>timeout</c>,
/// each within one Period + Timeout of the fault.
/// </summary>
public sealed class RedisFailureTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);

    // Scheduling and polling slack on top of Period + Timeout (the bound itself is the contract).
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(600);

    private static Dictionary<string, string> Probe(string name, string connectionString, string critical = "true") => new()
    {
        [$"Probes:{name}:Kind"] = "redis",
        [$"Probes:{name}:ConnectionString"] = connectionString,
        [$"Probes:{name}:Period"] = Period.ToString(),
        [$"Probes:{name}:Timeout"] = Timeout.ToString(),
        [$"Probes:{name}:Critical"] = critical,
    };

    [Fact]
    public async Task A_rotated_password_is_auth_and_a_silent_listener_on_the_port_is_timeout_each_within_period_plus_timeout()
    {
        await using var redis = await RedisServer.StartNew(password: "first-Secret-1234");
        await using var agent = await AgentProcess.Start(Probe("cache", redis.ConnectionString));
        await Poll.Until(async () => (await agent.Ready()).Code == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "ready 200");

        // The operator rotates the password on the server; the agent still has the old one.
        await redis.Restart("second-Secret-5678");
        var rotated = Stopwatch.StartNew();
        await Poll.Until(async () => await agent.ReadyReason("cache") == "auth", Period + Timeout + Slack, "auth after the rotation", TimeSpan.FromMilliseconds(20));
        Assert.True(rotated.Elapsed <= Period + Timeout + Slack, $"auth after {rotated.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await agent.Ready()).Code);
        Assert.Contains("WRONGPASS", (await agent.ReadyEntry("cache")).GetProperty("description").GetString(), StringComparison.Ordinal);

        // The server dies and something that accepts and never answers takes its port.
        await redis.Stop();
        await using var hole = new Blackhole(redis.Port);
        var silent = Stopwatch.StartNew();
        await Poll.Until(async () => await agent.ReadyReason("cache") == "timeout", Period + Timeout + Slack, "timeout against the silent listener", TimeSpan.FromMilliseconds(20));
        Assert.True(silent.Elapsed <= Period + Timeout + Slack, $"timeout after {silent.ElapsedMilliseconds} ms");
        Assert.True(hole.Accepted >= 1, "the probe really reached the silent listener");

        // The metric counts each reason it reported.
        var failures = (await agent.Metrics()).Named("agent_probe_failures_total").Where(s => s["probe"] == "cache").ToDictionary(s => s["reason"]!, s => s.Value);
        Assert.True(failures["auth"] >= 1, $"auth counted {failures["auth"]}");
        Assert.True(failures["timeout"] >= 1, $"timeout counted {failures["timeout"]}");

        var everything = (await agent.Ready()).Raw + await agent.MetricsText() + agent.Process.Stdout + agent.Process.Stderr;
        Assert.DoesNotContain("first-Secret-1234", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_port_is_refused_and_the_probe_recovers_when_the_server_returns()
    {
        await using var redis = await RedisServer.StartNew();
        await redis.Stop();
        await using var agent = await AgentProcess.Start(Probe("cache", redis.ConnectionString));
        await Poll.Until(async () => await agent.ReadyReason("cache") == "refused", TimeSpan.FromSeconds(10), "refused while nothing listens");

        await redis.Start();
        // The agent's first connect ever (the JIT build compiles the client's connect path now).
        await Poll.Until(async () => (await agent.Ready()).Code == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "ready once the server is back");
        Assert.Equal(1, await redis.AgentClients()); // one connection, not one per failed round
    }

    [Fact]
    public async Task The_acl_form_with_user_and_password_connects_and_a_wrong_acl_password_is_auth()
    {
        await using var redis = await RedisServer.StartNew(password: "default-Secret-42");
        Assert.Equal("OK", (await redis.Cli("ACL", "SETUSER", "prober", "on", ">prober-Secret-99", "~*", "+@all")).Trim());
        await using var agent = await AgentProcess.Start(new[]
        {
            Probe("acl_good", $"127.0.0.1:{redis.Port},user=prober,password=prober-Secret-99"),
            Probe("acl_wrong", $"127.0.0.1:{redis.Port},user=prober,password=Wrong-Acl-Secret-7", critical: "false"),
        }.SelectMany(d => d).ToDictionary());

        await Poll.Until(async () => await agent.ReadyReason("acl_wrong") == "auth" && (await agent.ReadyEntry("acl_good")).GetProperty("status").GetString() == "Healthy", TimeSpan.FromSeconds(10), "wrong ACL password is auth, the right one healthy"); // not just 'no reason': before its first answer a probe has none either
        var ready = await agent.Ready();
        Assert.True(ready.Code == HttpStatusCode.OK, ready.Raw); // acl_good healthy, acl_wrong non-critical
        Assert.Null(await agent.ReadyReason("acl_good"));
        Assert.Contains("name=sidecar-agent", (await redis.Cli("CLIENT", "LIST")).Split('\n').Single(l => l.Contains("user=prober", StringComparison.Ordinal)), StringComparison.Ordinal);

        var everything = ready.Raw + await agent.MetricsText() + agent.Process.Stdout + agent.Process.Stderr;
        Assert.DoesNotContain("prober-Secret-99", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Acl-Secret-7", everything, StringComparison.Ordinal);
    }
}
