using System.Net;
using Agent.IntegrationTests.Infrastructure;
using Agent.Tests.Shared;

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

    [Fact]
    public async Task Status_7_and_16_are_auth_and_a_server_without_the_health_service_is_protocol()
    {
        var port = Net.FreePort();
        await using var server = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "grpc_health.py"), port.ToString(), "=SERVING", "denied=PERMISSION_DENIED", "anonymous=UNAUTHENTICATED"]);
        var bare = Net.FreePort();
        await using var noHealth = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "grpc_health.py"), bare.ToString()]);
        await server.WaitForOutput("ready", TimeSpan.FromSeconds(15));
        await noHealth.WaitForOutput("ready", TimeSpan.FromSeconds(15));

        await using var agent = await AgentProcess.Start(new[]
        {
            Grpc("denied", $"http://127.0.0.1:{port}", "denied"),          // PERMISSION_DENIED = 7
            Grpc("anonymous", $"http://127.0.0.1:{port}", "anonymous"),    // UNAUTHENTICATED = 16
            Grpc("bare", $"http://127.0.0.1:{bare}", null),                // UNIMPLEMENTED = 12
        }.SelectMany(d => d).ToDictionary());

        await Poll.Until(
            async () => await agent.ReadyReason("denied") is not null && await agent.ReadyReason("anonymous") is not null && await agent.ReadyReason("bare") is not null,
            TimeSpan.FromSeconds(20),
            "every grpc probe answered");

        Assert.Equal("auth", await agent.ReadyReason("denied"));
        Assert.Equal("auth", await agent.ReadyReason("anonymous"));
        Assert.Equal("protocol", await agent.ReadyReason("bare"));
    }

    [Fact]
    public async Task Grpc_over_https_trusts_the_ca_file_and_reports_the_certificates_expiry()
    {
        var dir = Directory.CreateTempSubdirectory("grpc-tls-").FullName;
        try
        {
            using var ca = new TestCertificates();
            using var certificate = ca.Valid();
            var (cert, key) = TestCertificates.WritePem(certificate, dir, "server");
            var port = Net.FreePort();
            await using var server = ChildProcess.Start(
                "/usr/bin/python3",
                [Path.Combine(Repo.Targets, "grpc_health.py"), port.ToString(), "=SERVING"],
                new Dictionary<string, string?> { ["GRPC_TLS_CERT"] = cert, ["GRPC_TLS_KEY"] = key });
            await server.WaitForOutput("ready", TimeSpan.FromSeconds(15));
            var trusted = Grpc("trusted", $"https://127.0.0.1:{port}", null);
            trusted["Probes:trusted:CaFile"] = ca.WriteCaPem(dir);

            await using var agent = await AgentProcess.Start(new[] { trusted, Grpc("untrusted", $"https://127.0.0.1:{port}", null) }.SelectMany(d => d).ToDictionary());

            await Poll.Until(
                async () => (await agent.Metrics()).Value("agent_probe_success", "probe", "trusted") == 1 && await agent.ReadyReason("untrusted") is not null,
                TimeSpan.FromSeconds(20),
                "the trusted probe healthy and the untrusted one failing");

            Assert.Equal("tls", await agent.ReadyReason("untrusted"));
            Assert.Contains("not signed by a trusted CA", (await agent.ReadyEntry("untrusted")).GetProperty("description").GetString(), StringComparison.Ordinal);
            // Seconds until the certificate's notAfter, as made by the test (20 days and 3 hours ahead).
            var expiry = (await agent.Metrics()).Value("agent_probe_tls_cert_expiry_seconds", "probe", "trusted");
            var truth = (new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero) - DateTimeOffset.UtcNow).TotalSeconds;
            Assert.InRange(expiry!.Value, truth - 120, truth + 120);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
