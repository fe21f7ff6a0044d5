using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

/// <summary>
/// Configuration rules the README's key table states, each at its edge: the probe kind's aliases
/// and the name's length, a secret given twice, the token's length and whitespace rule, and an
/// unknown trigger metric answered with the list of the valid ones. The expected values are the
/// README's words, not the code's constants.
/// </summary>
public sealed class ReadmeRulesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rules-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AgentSettings Load(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static ConfigurationException Refused(params (string Key, string Value)[] values) =>
        Assert.Throws<ConfigurationException>(() => Load(values));

    [Theory]
    [InlineData("postgres")]
    [InlineData("postgresql")]
    [InlineData("npgsql")]
    [InlineData("PostgreSQL")]
    [InlineData(" NPGSQL ")]
    public void Postgres_has_two_aliases_and_kinds_are_case_insensitive(string kind)
    {
        var probe = Load(("Probes:db:Kind", kind), ("Probes:db:ConnectionString", "Host=h;Username=u")).Probes.Single();

        Assert.Equal(ProbeKind.Postgres, probe.Kind);
    }

    [Fact]
    public void Other_kinds_are_case_insensitive_too_and_have_no_aliases()
    {
        Assert.Equal(ProbeKind.Redis, Load(("Probes:c:Kind", "REDIS"), ("Probes:c:ConnectionString", "h:1")).Probes.Single().Kind);
        Assert.Equal(ProbeKind.Http, Load(("Probes:w:Kind", "Http"), ("Probes:w:Url", "http://x/")).Probes.Single().Kind);
        Assert.Equal(ProbeKind.Tcp, Load(("Probes:t:Kind", "TCP"), ("Probes:t:Host", "h"), ("Probes:t:Port", "1")).Probes.Single().Kind);
        Assert.Equal(ProbeKind.Grpc, Load(("Probes:g:Kind", "gRPC"), ("Probes:g:Address", "http://h:1")).Probes.Single().Kind);
        Assert.Equal("Probes:c:Kind", Refused(("Probes:c:Kind", "pg"), ("Probes:c:ConnectionString", "Host=h")).Key);
        Assert.Equal("Probes:c:Kind", Refused(("Probes:c:Kind", "rediss"), ("Probes:c:ConnectionString", "h:1")).Key);
    }

    [Fact]
    public void A_probe_name_is_1_to_64_letters_digits_underscores_and_dashes()
    {
        var longest = "p_-9" + new string('a', 60);
        Assert.Equal(64, longest.Length);

        Assert.Equal(longest, Load(($"Probes:{longest}:Kind", "tcp"), ($"Probes:{longest}:Host", "h"), ($"Probes:{longest}:Port", "1")).Probes.Single().Name);
        var tooLong = longest + "a";
        Assert.Equal($"Probes:{tooLong}", Refused(($"Probes:{tooLong}:Kind", "tcp"), ($"Probes:{tooLong}:Host", "h"), ($"Probes:{tooLong}:Port", "1")).Key);
        Assert.Equal("Probes:a.b", Refused(("Probes:a.b:Kind", "tcp"), ("Probes:a.b:Host", "h"), ("Probes:a.b:Port", "1")).Key);
    }

    [Fact]
    public void A_connection_string_set_both_ways_is_an_error_and_neither_value_is_shown()
    {
        var file = Path.Combine(_dir, "secret");
        File.WriteAllText(file, "127.0.0.1:6379,password=from-the-file-4711");

        var e = Refused(("Probes:cache:Kind", "redis"), ("Probes:cache:ConnectionString", "127.0.0.1:6379,password=inline-2718"), ("Probes:cache:ConnectionStringFile", file));

        Assert.StartsWith("Probes:cache:ConnectionString", e.Key, StringComparison.Ordinal);
        Assert.Contains("not both", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4711", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("2718", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef", true)]   // 16 characters: the shortest allowed
    [InlineData("0123456789abcde", false)]   // 15
    [InlineData("0123456789 abcdef", false)] // a space inside
    [InlineData("0123456789\tabcdef", false)] // a tab inside
    [InlineData(" 0123456789abcdef", false)] // given as a value, surrounding whitespace is not trimmed
    public void A_token_is_at_least_16_characters_without_whitespace(string token, bool accepted)
    {
        if (accepted)
        {
            Assert.Equal(token, Load(("Security:MetricsToken", token)).MetricsToken!.Reveal());
        }
        else
        {
            var e = Refused(("Security:MetricsToken", token));
            Assert.Equal("Security:MetricsToken", e.Key);
            Assert.DoesNotContain(token.Trim(), e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_token_file_has_its_surrounding_whitespace_trimmed_but_not_inner_whitespace()
    {
        var file = Path.Combine(_dir, "token");
        File.WriteAllText(file, "  0123456789abcdef\n\n");
        Assert.Equal("0123456789abcdef", Load(("Security:MetricsTokenFile", file)).MetricsToken!.Reveal());

        File.WriteAllText(file, "0123456789 abcdef\n");
        Assert.Equal("Security:MetricsTokenFile", Refused(("Security:MetricsTokenFile", file)).Key);
    }

    [Fact]
    public void An_unknown_trigger_metric_stops_startup_and_lists_the_valid_ones()
    {
        var e = Refused(("Triggers:t:Metric", "target_process_rss"), ("Triggers:t:Above", "1"));

        Assert.Equal("Triggers:t:Metric", e.Key);
        // The README: target_restarts_total, target_processes and the target_process_*/target_dotnet_*
        // values, but info, start time and fd limit.
        foreach (var valid in new[]
        {
            "target_restarts_total", "target_processes", "target_process_resident_memory_bytes", "target_process_cpu_seconds_total",
            "target_process_threads", "target_process_open_fds", "target_dotnet_gc_heap_size_bytes", "target_dotnet_gc_pause_ratio",
        })
        {
            Assert.Contains(valid, e.Message, StringComparison.Ordinal);
        }

        foreach (var excluded in new[] { "target_process_info", "target_process_start_time_seconds", "target_process_max_fds" })
        {
            Assert.DoesNotContain(excluded, e.Message, StringComparison.Ordinal);
        }
    }
}
