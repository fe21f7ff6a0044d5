using System.Text.RegularExpressions;
using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

/// <summary>Settings hold what was parsed, so no feature parses a value again.</summary>
public class TypedSettingsTests
{
    private static AgentSettings Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void The_command_line_pattern_is_compiled_once_with_a_match_timeout()
    {
        var s = Load(("Target:CommandLinePattern", @"gunicorn\s+app"));

        Assert.NotNull(s.Target.CommandLinePattern);
        Assert.Matches(s.Target.CommandLinePattern, "/usr/bin/gunicorn  app:main");
        Assert.DoesNotMatch(s.Target.CommandLinePattern, "gunicorn");
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.Target.CommandLinePattern.MatchTimeout);
        Assert.False(s.Target.WatchesSelf);
        Assert.True(Load().Target.WatchesSelf);
    }

    [Fact]
    public void Runtime_url_and_include_are_typed()
    {
        var s = Load(("Runtime:MetricsUrl", "http://127.0.0.1:8000/metrics"), ("Runtime:MetricsInclude", "^app_"));

        Assert.Equal(new Uri("http://127.0.0.1:8000/metrics"), s.Runtime.MetricsUrl);
        Assert.Matches(s.Runtime.MetricsInclude, "app_requests");
        Assert.DoesNotMatch(s.Runtime.MetricsInclude, "python_gc");
        Assert.Null(Load().Runtime.MetricsUrl);
    }

    [Fact]
    public void Otlp_protocol_is_an_enum_and_headers_a_secret()
    {
        var s = Load(("Otlp:Endpoint", "http://collector:4317"), ("Otlp:Protocol", "grpc"), ("Otlp:Headers", "api-key=abc123"));

        Assert.Equal(OtlpProtocol.Grpc, s.Otlp.Protocol);
        Assert.Equal(new Uri("http://collector:4317"), s.Otlp.Endpoint);
        Assert.Equal("api-key=abc123", s.Otlp.Headers!.Reveal());
        Assert.DoesNotContain("abc123", s.Otlp.ToString(), StringComparison.Ordinal);
        Assert.Equal(OtlpProtocol.HttpProtobuf, Load().Otlp.Protocol);
    }

    [Theory]
    [InlineData(null, "Full")]
    [InlineData("full", "Full")]
    [InlineData("Minimal", "Minimal")]
    [InlineData("off", "Off")]
    public void Self_metrics_mode_is_an_enum(string? value, string expected)
    {
        var s = value is null ? Load() : Load(("Telemetry:SelfMetrics", value));

        Assert.Equal(Enum.Parse<SelfMetricsMode>(expected), s.Telemetry.SelfMetrics);
    }

    [Fact]
    public void A_secret_from_a_file_is_trimmed_and_both_forms_at_once_are_refused()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "0123456789abcdef0123\n");
            Assert.Equal("0123456789abcdef0123", Load(("Security:MetricsTokenFile", file)).MetricsToken!.Reveal());

            var e = Assert.Throws<ConfigurationException>(() => Load(("Security:MetricsTokenFile", file), ("Security:MetricsToken", "0123456789abcdef0123")));
            Assert.Equal("Security:MetricsTokenFile", e.Key);
            Assert.DoesNotContain("0123456789abcdef", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("http://h/x", true)]
    [InlineData("https://h:8443/", true)]
    [InlineData("ftp://h/", false)]
    [InlineData("/relative", false)]
    [InlineData("h:80", false)]
    public void One_http_url_rule(string text, bool accepted)
    {
        if (accepted)
        {
            Assert.Equal(new Uri(text), HttpUrl.Parse(text, "K"));
            Assert.Equal(new Uri(text), HttpUrl.Require(text, "K"));
        }
        else
        {
            Assert.Equal("K", Assert.Throws<ConfigurationException>(() => HttpUrl.Parse(text, "K")).Key);
            Assert.Equal("K", Assert.Throws<ConfigurationException>(() => HttpUrl.Require(text, "K")).Key);
        }
    }

    [Fact]
    public void Bounds_are_inclusive_and_name_the_key()
    {
        var min = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromHours(1);

        Assert.Equal(min, Bounds.Within(min, min, max, "K"));
        Assert.Equal(max, Bounds.Within(max, min, max, "K"));
        var e = Assert.Throws<ConfigurationException>(() => Bounds.Within(min - TimeSpan.FromTicks(1), min, max, "K"));
        Assert.Equal("K: must be between 00:00:00.100 and 01:00:00", e.Message);
        Assert.Throws<ConfigurationException>(() => Bounds.Within(max + TimeSpan.FromTicks(1), min, max, "K"));
    }

    [Fact]
    public void A_pattern_error_names_the_key_not_a_generic_failure()
    {
        var e = Assert.Throws<ConfigurationException>(() => Patterns.Compile("(", "Runtime:MetricsInclude"));

        Assert.Equal("Runtime:MetricsInclude", e.Key);
        Assert.Contains("invalid regular expression", e.Message, StringComparison.Ordinal);
        Assert.IsType<Regex>(Patterns.Compile("a+"));
    }
}
