using System.Globalization;
using Agent.IntegrationTests.Infrastructure;
using Agent.Tests.Shared;

namespace Agent.IntegrationTests;

/// <summary>
/// PostgreSQL with TLS (<c>SSL Mode</c> in the Npgsql connection string) against real clusters
/// started with <c>ssl=on</c> and certificates the test makes with its own CA: VerifyFull with
/// CaFile is healthy, really encrypted (the server's own pg_stat_ssl says so) and its remaining
/// lifetime is exported; an expired certificate or one of a CA the agent was not told about fails
/// with <c>tls</c> (never <c>auth</c> or <c>error</c>), and so does a certificate for another host
/// name under VerifyFull, which VerifyCA accepts; <c>Require</c> and <c>Prefer</c> (the default)
/// keep PostgreSQL's meaning (encrypted, certificate not verified) and <c>Disable</c> never encrypts.
/// </summary>
public sealed class PostgresTlsTests
{
    // Room for a healthy handshake + SCRAM on two busy cores; the failing probes fail in the
    // handshake, not by timeout.
    private static Dictionary<string, string> Probe(string name, PostgresServer server, string sslMode, string? caFile) =>
        TlsProbeSettings.For(name, "postgres", ("ConnectionString", server.ConnectionString() + $";SSL Mode={sslMode}"), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), caFile);

    /// <summary>notAfter as openssl reads it from the file the server was given (not through .NET).</summary>
    private static async Task<DateTime> OpensslNotAfter(string certificateFile)
    {
        var (code, output) = await Tool.Run("openssl", ["x509", "-enddate", "-noout", "-in", certificateFile]);
        Assert.Equal(0, code);
        var text = string.Join(' ', output.Trim()["notAfter=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)); // "Dec  8 ..." → "Dec 8 ..."
        return DateTime.ParseExact(text, "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    [Fact]
    public async Task VerifyFull_with_a_private_ca_is_healthy_with_its_expiry_exported_and_expired_or_untrusted_certificates_are_tls()
    {
        var dir = Directory.CreateTempSubdirectory("pg-tls-").FullName;
        try
        {
            using var ca = new TestCertificates();
            var caFile = ca.WriteCaPem(dir);
            var now = DateTimeOffset.UtcNow;
            using var validCert = ca.Valid();
            using var expiredCert = ca.Expired();
            using var otherNameCert = ca.Server(now.AddDays(-1), now.AddDays(20), onlyName: "db.invalid"); // not 127.0.0.1
            var validPem = TestCertificates.WritePem(validCert, dir, "valid");
            var expiredPem = TestCertificates.WritePem(expiredCert, dir, "expired");
            await using var valid = await PostgresServer.StartNew(validPem);
            await using var expired = await PostgresServer.StartNew(expiredPem);
            await using var otherName = await PostgresServer.StartNew(TestCertificates.WritePem(otherNameCert, dir, "other-name"));

            await using var agent = await AgentProcess.Start(new[]
            {
                Probe("good", valid, "VerifyFull", caFile),
                Probe("untrusted", valid, "VerifyFull", caFile: null), // same server, CA not given
                Probe("expired", expired, "VerifyFull", caFile),
                Probe("require", expired, "Require", caFile: null), // libpq's Require: encrypted, not verified
                Probe("prefer", expired, "Prefer", caFile: null), // Prefer: the same when the server has TLS
                TlsProbeSettings.For("default", "postgres", ("ConnectionString", expired.ConnectionString()), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), null), // no SSL Mode: Prefer
                Probe("disable", valid, "Disable", caFile), // never encrypts, CaFile or not
                Probe("chainonly", otherName, "VerifyCA", caFile), // VerifyCA: the chain, not the name
                Probe("wrongname", otherName, "VerifyFull", caFile),
            }.SelectMany(d => d).ToDictionary());

            try
            {
                await Poll.Until(
                    async () => await agent.ReadyReason("untrusted") == "tls" && await agent.ReadyReason("expired") == "tls"
                        && (await agent.ReadyEntry("good")).GetProperty("status").GetString() == "Healthy"
                        && (await agent.ReadyEntry("require")).GetProperty("status").GetString() == "Healthy"
                        && (await agent.ReadyEntry("prefer")).GetProperty("status").GetString() == "Healthy"
                        && (await agent.ReadyEntry("default")).GetProperty("status").GetString() == "Healthy"
                        && (await agent.ReadyEntry("disable")).GetProperty("status").GetString() == "Healthy"
                        && (await agent.ReadyEntry("chainonly")).GetProperty("status").GetString() == "Healthy" && await agent.ReadyReason("wrongname") == "tls",
                    TimeSpan.FromSeconds(45), // 15 periods
                    "good, require, prefer, default, disable and chainonly healthy, untrusted, expired and wrongname tls");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}; /ready: {(await agent.Ready()).Raw}", e);
            }

            Assert.Contains("expired", (await agent.ReadyEntry("expired")).GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("CaFile", (await agent.ReadyEntry("untrusted")).GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("does not name this host", (await agent.ReadyEntry("wrongname")).GetProperty("description").GetString(), StringComparison.Ordinal);

            // The servers' own view of the agent's pooled sessions: on the valid server, good's is
            // TLS and disable's is not; on the expired one require, prefer and the default's all are.
            const string agentSessions = "SELECT count(*) FILTER (WHERE s.ssl) || '/' || count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'sidecar-agent'";
            Assert.Equal("1/2", (await valid.Psql(agentSessions)).Trim());
            Assert.Equal("3/3", (await expired.Psql(agentSessions)).Trim());

            // The gauge against the certificate files as openssl reads them: within 60 s of the truth.
            var metrics = await agent.Metrics();
            var gauge = metrics.Named("agent_probe_tls_cert_expiry_seconds").ToList();
            var good = gauge.Single(s => s["probe"] == "good");
            Assert.Equal("postgres", good["kind"]);
            var truth = (await OpensslNotAfter(validPem.Certificate) - DateTime.UtcNow).TotalSeconds;
            Assert.InRange(good.Value, truth - 60, truth + 60);
            var goneTruth = (await OpensslNotAfter(expiredPem.Certificate) - DateTime.UtcNow).TotalSeconds;
            Assert.InRange(gauge.Single(s => s["probe"] == "expired").Value, goneTruth - 60, goneTruth + 60); // negative: two days past
            Assert.InRange(gauge.Single(s => s["probe"] == "require").Value, goneTruth - 60, goneTruth + 60);
            var failures = metrics.Named("agent_probe_failures_total").ToList();
            foreach (var probe in new[] { "good", "untrusted", "expired", "require", "prefer", "default", "disable", "chainonly", "wrongname" })
            {
                Assert.Equal(0, failures.Single(s => s["probe"] == probe && s["reason"] == "auth").Value);
                Assert.Equal(0, failures.Single(s => s["probe"] == probe && s["reason"] == "error").Value);
            }

            var everything = (await agent.Ready()).Raw + await agent.MetricsText() + agent.Process.Stdout + agent.Process.Stderr;
            Assert.DoesNotContain(valid.Password, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(expired.Password, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(otherName.Password, everything, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
