using Agent.IntegrationTests.Infrastructure;
using Agent.Tests.Shared;

namespace Agent.IntegrationTests;

/// <summary>
/// Redis with <c>ssl=true</c> against real redis-server TLS ports whose certificates the test
/// makes with its own CA: with CaFile a valid certificate is healthy and its remaining lifetime is
/// exported; an expired one, or one of a CA the agent was not told about, fails with <c>tls</c>
/// (never <c>auth</c>, although the client reports it as an authentication failure).
/// </summary>
public sealed class RedisTlsTests
{
    private static Dictionary<string, string> Probe(string name, int port, string? caFile) =>
        TlsProbeSettings.For(name, "redis", ("ConnectionString", $"127.0.0.1:{port},ssl=true,password=tls-Redis-Secret-8"), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1500), caFile);

    private static async Task<ChildProcess> TlsRedis(string dir, string name, int port, (string Certificate, string Key) pem)
    {
        var server = ChildProcess.Start("redis-server", [
            "--port", "0", "--tls-port", port.ToString(), "--bind", "127.0.0.1", "--tls-cert-file", pem.Certificate, "--tls-key-file", pem.Key,
            "--tls-auth-clients", "no", "--requirepass", "tls-Redis-Secret-8", "--save", string.Empty, "--appendonly", "no", "--dir", Directory.CreateDirectory(Path.Combine(dir, name)).FullName]);
        await server.WaitForOutput("Ready to accept connections", TimeSpan.FromSeconds(15));
        return server;
    }

    [Fact]
    public async Task A_private_ca_certificate_is_healthy_with_its_expiry_exported_and_expired_or_untrusted_ones_are_tls()
    {
        var dir = Directory.CreateTempSubdirectory("redis-tls-").FullName;
        try
        {
            using var ca = new TestCertificates();
            var caFile = ca.WriteCaPem(dir);
            using var validCert = ca.Valid();
            using var expiredCert = ca.Expired();
            var validPort = Net.FreePort();
            var expiredPort = Net.FreePort();
            await using var valid = await TlsRedis(dir, "valid", validPort, TestCertificates.WritePem(validCert, dir, "valid"));
            await using var expired = await TlsRedis(dir, "expired", expiredPort, TestCertificates.WritePem(expiredCert, dir, "expired"));

            await using var agent = await AgentProcess.Start(new[]
            {
                Probe("good", validPort, caFile),
                Probe("untrusted", validPort, caFile: null), // same server, CA not given
                Probe("expired", expiredPort, caFile),
            }.SelectMany(d => d).ToDictionary());

            await Poll.Until(
                async () => await agent.ReadyReason("untrusted") == "tls" && await agent.ReadyReason("expired") == "tls" && (await agent.ReadyEntry("good")).GetProperty("status").GetString() == "Healthy",
                TimeSpan.FromSeconds(30),
                "good healthy, untrusted and expired tls");
            Assert.Contains("expired", (await agent.ReadyEntry("expired")).GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("CaFile", (await agent.ReadyEntry("untrusted")).GetProperty("description").GetString(), StringComparison.Ordinal);

            // The gauge against the certificates the test made: within 60 s of the truth.
            var metrics = await agent.Metrics();
            var gauge = metrics.Named("agent_probe_tls_cert_expiry_seconds").ToList();
            var good = gauge.Single(s => s["probe"] == "good");
            Assert.Equal("redis", good["kind"]);
            var truth = (validCert.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds;
            Assert.InRange(good.Value, truth - 60, truth + 60);
            var goneTruth = (expiredCert.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds;
            Assert.InRange(gauge.Single(s => s["probe"] == "expired").Value, goneTruth - 60, goneTruth + 60); // negative: two days past
            Assert.Equal(0, metrics.Named("agent_probe_failures_total").Single(s => s["probe"] == "expired" && s["reason"] == "auth").Value);

            var everything = (await agent.Ready()).Raw + await agent.MetricsText() + agent.Process.Stdout + agent.Process.Stderr;
            Assert.DoesNotContain("tls-Redis-Secret-8", everything, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
