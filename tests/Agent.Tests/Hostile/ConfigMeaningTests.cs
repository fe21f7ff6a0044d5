using System.Reflection;
using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Hostile;

/// <summary>
/// Configuration that would mean something else than written is refused, naming the key. The cases
/// are generated: every duration key (every TimeSpan property of every options type, found by
/// reflection here, not taken from the code under test) with bare numbers, and every named section
/// with two names differing only in case.
/// </summary>
public class ConfigMeaningTests
{
    /// <summary>Options types and where their keys sit ({0} is a name for the named sections).</summary>
    private static readonly (Type Options, string Prefix, (string, string)[] With)[] Sections =
    [
        (typeof(SamplingOptions), "Sampling", []),
        (typeof(RuntimeOptions), "Runtime", []),
        (typeof(OtlpOptions), "Otlp", []),
        (typeof(DiagnosticsOptions), "Diagnostics", []),
        (typeof(ProfilingOptions), "Profiling", []),
        (typeof(ProbeOptions), "Probes:p", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h"), ("Probes:p:Port", "1")]),
        (typeof(TriggerOptions), "Triggers:t", [("Triggers:t:Metric", "target_process_open_fds"), ("Triggers:t:Above", "10"), ("Triggers:t:Actions", "snapshot")]),
    ];

    private static readonly string[] BareNumbers = ["5", "1", "0", "30", " 2 ", "-1", "0.5", "1e3"];

    public static TheoryData<string, string> DurationCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (type, prefix, _) in Sections)
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(TimeSpan) || p.PropertyType == typeof(TimeSpan?)))
            {
                foreach (var bad in BareNumbers)
                {
                    data.Add($"{prefix}:{p.Name}", bad);
                }
            }
        }

        return data;
    }

    private static ConfigurationException Refused(IEnumerable<(string, string)> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values.Select(kv => new KeyValuePair<string, string?>(kv.Item1, kv.Item2))).Build();
        return Assert.Throws<ConfigurationException>(() => AgentSettings.Load(configuration));
    }

    [Theory]
    [MemberData(nameof(DurationCases))]
    public void A_bare_number_for_a_duration_is_refused_naming_the_key_and_the_forms(string key, string bad)
    {
        var with = Sections.Single(s => key.StartsWith(s.Prefix + ":", StringComparison.Ordinal)).With;

        var e = Refused(with.Append((key, bad)));

        Assert.Equal(key, e.Key);
        Assert.Contains("hh:mm:ss", e.Message, StringComparison.Ordinal);
        Assert.Contains("days", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_duration_key_is_covered_by_the_generated_cases()
    {
        // A TimeSpan property on an options type this test does not know would escape the cases.
        var optionsTypes = typeof(AgentSettings).Assembly.GetTypes().Where(t => t.Namespace == "Agent.Configuration" && t.Name.EndsWith("Options", StringComparison.Ordinal));
        var withDurations = optionsTypes.Where(t => t.GetProperties().Any(p => p.PropertyType == typeof(TimeSpan) || p.PropertyType == typeof(TimeSpan?)));

        Assert.Empty(withDurations.Except(Sections.Select(s => s.Options)));
    }

    [Theory]
    [InlineData("00:05:00")]
    [InlineData("00:01:00.250")]
    [InlineData("1.00:00:00")]
    public void The_clock_forms_are_accepted(string retention)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Diagnostics:Retention", retention)]).Build();

        Assert.Equal(TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture), AgentSettings.Load(configuration).Diagnostics.Retention);
    }

    public static TheoryData<string, string, string> CaseCases() => new()
    {
        { "Probes", "Cache", "cache" },
        { "Probes", "db", "DB" },
        { "Targets", "web", "Web" },
        { "Triggers", "fds", "FDS" },
    };

    [Theory]
    [MemberData(nameof(CaseCases))]
    public void Names_differing_only_in_case_in_one_source_are_refused(string section, string first, string second)
    {
        var e = Refused([($"{section}:{first}:Kind", "tcp"), ($"{section}:{second}:Port", "7299")]);

        Assert.StartsWith($"{section}:", e.Key, StringComparison.Ordinal);
        Assert.Contains("differs only in case", e.Message, StringComparison.Ordinal);
        Assert.Contains(first, e.Message, StringComparison.Ordinal);
        Assert.Contains(second, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_case_only_override_from_another_source_is_the_usual_override()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Probes:Cache:Kind", "tcp"), new("Probes:Cache:Host", "h"), new("Probes:Cache:Port", "1")])
            .AddInMemoryCollection([new("PROBES:CACHE:PORT", "7299")]) // the environment's PROBES__CACHE__PORT
            .Build();

        var probe = Assert.Single(AgentSettings.Load(configuration).Probes);

        Assert.Equal(7299, probe.Port);
    }

    public static TheoryData<string, string, (string, string)[]> CredentialCases() => new()
    {
        { "Runtime:MetricsUrl", "http://alice:S3cret@127.0.0.1:9/metrics", [] },
        { "Targets:web:MetricsUrl", "http://alice:S3cret@127.0.0.1:9/metrics", [("Targets:web:Port", "80")] },
        { "Otlp:Endpoint", "http://alice:S3cret@collector:4318", [] },
    };

    [Theory]
    [MemberData(nameof(CredentialCases))]
    public void Credentials_in_a_url_that_would_not_send_them_are_refused_without_echoing_them(string key, string url, (string, string)[] with)
    {
        var e = Refused(with.Append((key, url)));

        Assert.Equal(key, e.Key);
        Assert.Contains("credentials", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_http_probe_url_may_carry_credentials_it_sends()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Probes:web:Kind", "http"), new("Probes:web:Url", "http://alice:S3cret@127.0.0.1:9/health")]).Build();

        Assert.Equal("alice:S3cret", Assert.Single(AgentSettings.Load(configuration).Probes).Url!.UserInfo);
    }

    [Theory]
    [InlineData("Probes:p:Timeout", "00:00:00.0000001")]
    [InlineData("Probes:p:Timeout", "00:00:00.009")]
    [InlineData("Runtime:MetricsTimeout", "00:00:00.0000001")]
    [InlineData("Runtime:MetricsTimeout", "00:00:00.005")]
    public void Durations_below_their_floor_are_refused(string key, string tiny)
    {
        var with = key.StartsWith("Probes", StringComparison.Ordinal) ? Sections.Single(s => s.Prefix == "Probes:p").With : [];

        var e = Refused(with.Append((key, tiny)));

        Assert.Equal(key, e.Key);
        Assert.Contains("between 00:00:00.010", e.Message, StringComparison.Ordinal);
    }
}
