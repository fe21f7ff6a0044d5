using System.Net;
using Agent.IntegrationTests.Infrastructure;
using Agent.Tests.Shared;

namespace Agent.IntegrationTests;

/// <summary>
/// https probes against real TLS servers whose certificates the test makes with its own CA: a
/// valid certificate from that CA with CaFile is healthy and its remaining lifetime is exported;
/// an expired one, or one from a CA the agent was not told about, fails with <c>tls</c>.
/// </summary>
public sealed class TlsTests
{
    // A healthy TLS handshake took over 800 ms on two busy cores (as the gRPC probe's did): the
    // timeout leaves room for it; the failing rows fail in the handshake, not by timeout.
    private static Dictionary<string, string> Https(string name, int port, string? caFile) =>
        TlsProbeSettings.For(name, "http", ("Url", $"https://127.0.0.1:{port}/"), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), caFile);

    [Fact]
    public async Task A_private_ca_certificate_is_healthy_with_its_expiry_exported_and_expired_or_untrusted_ones_are_tls()
    {
        var dir = Directory.CreateTempSubdirectory("tls-").FullName;
        try
        {
            using var ca = new TestCertificates();
            var caFile = ca.WriteCaPem(dir);
            using var validCert = ca.Valid();
            using var expiredCert = ca.Expired();
            await using var valid = new TlsHttpServer(validCert);
            await using var expired = new TlsHttpServer(expiredCert);

            await using var agent = await AgentProcess.Start(new[]
            {
                Https("good", valid.Port, caFile),
                Https("untrusted", valid.Port, caFile: null), // same server, CA not given
                Https("expired", expired.Port, caFile),
            }.SelectMany(d => d).ToDictionary());

            await Poll.Until(
                async () => await agent.ReadyReason("untrusted") == "tls" && await agent.ReadyReason("expired") == "tls" && (await agent.ReadyEntry("good")).GetProperty("status").GetString() == "Healthy",
                TimeSpan.FromSeconds(15),
                "good healthy, untrusted and expired tls");
            var (code, _, raw) = await agent.Ready();
            Assert.Equal(HttpStatusCode.OK, code); // all three non-critical: Degraded is 200
            Assert.Contains("expired", (await agent.ReadyEntry("expired")).GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("CaFile", (await agent.ReadyEntry("untrusted")).GetProperty("description").GetString(), StringComparison.Ordinal);

            // The gauge against the certificate the test made: remaining lifetime within 60 s of the truth.
            var metrics = await agent.Metrics();
            var truth = (validCert.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds;
            var good = metrics.Named("agent_probe_tls_cert_expiry_seconds").Single(s => s["probe"] == "good");
            Assert.Equal("http", good["kind"]);
            Assert.InRange(good.Value, truth - 60, truth + 60);
            var gone = metrics.Named("agent_probe_tls_cert_expiry_seconds").Single(s => s["probe"] == "expired").Value;
            var goneTruth = (expiredCert.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds;
            Assert.InRange(gone, goneTruth - 60, goneTruth + 60); // negative: two days past
            Assert.True(metrics.Named("agent_probe_failures_total").Single(s => s["probe"] == "expired" && s["reason"] == "tls").Value >= 1);
            Assert.Equal(0, metrics.Named("agent_probe_failures_total").Single(s => s["probe"] == "expired" && s["reason"] == "error").Value);

            // The page's history and events keep the same reason /ready gave (they once said 'error').
            // History records on the sampling tick after the result: wait for its first failed point.
            async Task<(System.Text.Json.JsonElement Status, List<string?> Reasons)> Expired()
            {
                var status = System.Text.Json.JsonDocument.Parse(await agent.Http.GetStringAsync("/api/status")).RootElement;
                var probe = status.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "expired");
                return (status, probe.GetProperty("history").GetProperty("reason").EnumerateArray().Select(r => r.ValueKind == System.Text.Json.JsonValueKind.String ? r.GetString() : null).Where(r => r is not null).ToList());
            }

            var found = await Poll.Until(async () => await Expired() is { Reasons.Count: > 0 } e ? e : ((System.Text.Json.JsonElement, List<string?>)?)null, TimeSpan.FromSeconds(15), "a failed point in the expired probe's history");
            var (status, historyReasons) = found!.Value;
            Assert.All(historyReasons, r => Assert.Equal("tls", r));
            var failed = status.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("subject").GetString() == "expired" && e.GetProperty("kind").GetString() == "failed");
            Assert.StartsWith("tls: ", failed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_ca_file_without_a_certificate_stops_startup_naming_the_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "not a certificate\n");
            await using var agent = await AgentProcess.Start(Https("p", 1, file), waitHealthy: false);
            await Poll.Until(() => Task.FromResult(agent.Process.HasExited), TimeSpan.FromSeconds(30), "agent exits");
            Assert.Equal(2, agent.Process.ExitCode);
            Assert.Contains("Probes:p:CaFile", agent.Process.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
