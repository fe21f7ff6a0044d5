using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

public class ProbeLoaderTests
{
    private static IReadOnlyList<ProbeDefinition> Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build()).Probes;

    [Fact]
    public void Defaults_are_500ms_timeout_5s_period_critical()
    {
        var p = Load(("Probes:db:Kind", "tcp"), ("Probes:db:Host", "localhost"), ("Probes:db:Port", "5432")).Single();

        Assert.Equal(TimeSpan.FromMilliseconds(500), p.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), p.Period);
        Assert.True(p.Critical);
        Assert.Equal(TimeSpan.FromSeconds(15.5), p.StaleAfter);
        Assert.Equal(1, p.FailureThreshold);
        Assert.Equal(1, p.SuccessThreshold);
    }

    [Fact]
    public void Thresholds_are_read_and_bounded()
    {
        var p = Load(("Probes:db:Kind", "tcp"), ("Probes:db:Host", "h"), ("Probes:db:Port", "1"), ("Probes:db:FailureThreshold", "3"), ("Probes:db:SuccessThreshold", "2")).Single();

        Assert.Equal(3, p.FailureThreshold);
        Assert.Equal(2, p.SuccessThreshold);
        Assert.Equal("Probes:db:FailureThreshold", Assert.Throws<ConfigurationException>(() => Load(("Probes:db:Kind", "tcp"), ("Probes:db:Host", "h"), ("Probes:db:Port", "1"), ("Probes:db:FailureThreshold", "-1"))).Key);
        Assert.Equal("Probes:db:SuccessThreshold", Assert.Throws<ConfigurationException>(() => Load(("Probes:db:Kind", "tcp"), ("Probes:db:Host", "h"), ("Probes:db:Port", "1"), ("Probes:db:SuccessThreshold", "0"))).Key);
    }

    [Theory]
    [InlineData("Probes:x:Kind", "mysql", "Probes:x:Kind")]
    [InlineData("Probes:x:Timeout", "-00:00:01", "Probes:x:Timeout")]
    [InlineData("Probes:x:Timeout", "00:00:10", "Probes:x:Timeout")] // longer than Period
    [InlineData("Probes:x:Period", "00:00:00.001", "Probes:x:Period")]
    [InlineData("Probes:x:Critical", "sometimes", "Probes:x:Critical")]
    [InlineData("Probes:x:Url", "http://x", "Probes:x:Url")] // not a tcp key
    [InlineData("Probes:x:Port", "70000", "Probes:x:Port")]
    public void A_bad_tcp_probe_key_is_named(string key, string value, string named)
    {
        var values = new Dictionary<string, string> { ["Probes:x:Kind"] = "tcp", ["Probes:x:Host"] = "h", ["Probes:x:Port"] = "1", [key] = value };

        var e = Assert.Throws<ConfigurationException>(() => Load(values.Select(kv => (kv.Key, kv.Value)).ToArray()));

        Assert.Equal(named, e.Key);
    }

    [Fact]
    public void Missing_kind_bad_url_and_bad_status_ranges_are_named()
    {
        Assert.Equal("Probes:a:Kind", Assert.Throws<ConfigurationException>(() => Load(("Probes:a:Host", "h"))).Key);
        Assert.Equal("Probes:h:Url", Assert.Throws<ConfigurationException>(() => Load(("Probes:h:Kind", "http"), ("Probes:h:Url", "ftp://x/"))).Key);
        Assert.Equal("Probes:h:ExpectedStatus", Assert.Throws<ConfigurationException>(() => Load(("Probes:h:Kind", "http"), ("Probes:h:Url", "http://x/"), ("Probes:h:ExpectedStatus", "200-99"))).Key);
        Assert.Equal("Probes:bad name", Assert.Throws<ConfigurationException>(() => Load(("Probes:bad name:Kind", "tcp"))).Key);
    }

    [Fact]
    public void Connection_string_problems_never_echo_the_string()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Probes:db:Kind", "postgres"), ("Probes:db:ConnectionString", "Host=x;Password=hunter2;Bogus Key=1")));

        Assert.Equal("Probes:db:ConnectionString", e.Key);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_string_can_come_from_a_file_and_is_never_printed()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "127.0.0.1:6379,password=s3cret-from-file\n");
        try
        {
            var p = Load(("Probes:cache:Kind", "redis"), ("Probes:cache:ConnectionStringFile", file)).Single();

            Assert.Equal("127.0.0.1:6379,password=s3cret-from-file", p.ConnectionString!.Reveal());
            Assert.DoesNotContain("s3cret", p.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", $"{p.ConnectionString}", StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }

        Assert.Equal("Probes:cache:ConnectionStringFile", Assert.Throws<ConfigurationException>(() => Load(("Probes:cache:Kind", "redis"), ("Probes:cache:ConnectionStringFile", "/nonexistent/secret"))).Key);
    }

    [Fact]
    public void A_postgres_probe_takes_a_ca_file_but_not_npgsqls_own_root_certificate()
    {
        var file = Path.GetTempFileName();
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=unit-test-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(file, ca.ExportCertificatePem());
        }

        try
        {
            var p = Load(("Probes:db:Kind", "postgres"), ("Probes:db:ConnectionString", "Host=x;SSL Mode=VerifyFull"), ("Probes:db:CaFile", file)).Single();
            Assert.Equal("CN=unit-test-ca", Assert.Single(p.CaCertificates!).Subject);

            var e = Assert.Throws<ConfigurationException>(() => Load(("Probes:db:Kind", "postgres"), ("Probes:db:ConnectionString", $"Host=x;Password=hunter2;SSL Mode=VerifyFull;Root Certificate={file}")));
            Assert.Equal("Probes:db:ConnectionString", e.Key);
            Assert.Contains("Probes:db:CaFile", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("200-399", 200, true)]
    [InlineData("200-399", 404, false)]
    [InlineData("200,204", 204, true)]
    [InlineData("200,204", 201, false)]
    [InlineData("200-299, 401", 401, true)]
    public void Status_ranges(string text, int status, bool accepted)
    {
        Assert.True(StatusRanges.TryParse(text, out var ranges));
        Assert.Equal(accepted, ranges.Contains(status));
    }
}
