using Agent.Configuration;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The built agent refuses bad configuration at startup: exit code 2 (not a crash's 134, not any
/// non-zero) and one line naming the key. Every known key is tried on the real process.
/// </summary>
public sealed class StartupConfigurationTests
{
    // key → a bad value, plus what else the key needs to be reached (e.g. a probe's Kind).
    private static readonly (string Key, string Bad, (string, string)[] With)[] Cases =
    [
        ("Target:Pid", "-1", []),
        ("Target:Pidd", "12", []), // unknown key
        ("Target:PidFile", "", []),
        ("Target:ProcessName", "a/b", []),
        ("Target:CommandLinePattern", "(", []),
        ("Target:IncludeChildren", "perhaps", []),
        ("Target:Auto", "2", []),
        ("Target:Port", "70000", []),
        ("Target:AutoProxies", "envoy", []), // only with Target:Auto=true
        ("Sampling:Interval", "-00:00:01", []),
        ("Sampling:ProcRoot", "relative/proc", []),
        ("Readiness:RequireTarget", "maybe", []),
        ("Runtime:MetricsUrl", "ftp://x/metrics", []),
        ("Targets:web:MetricsUrl", "127.0.0.1:8000/metrics", [("Targets:web:Port", "80")]), // no scheme
        ("Runtime:MetricsInclude", "(", []),
        ("Runtime:MetricsTimeout", "00:05:00", []),
        ("Runtime:Dotnet:Enabled", "on", []),
        ("Runtime:Dotnet:DiagnosticPort", "relative.sock", []),
        ("Otlp:Endpoint", "collector:4318", []),
        ("Otlp:Protocol", "thrift", []),
        ("Otlp:ExportInterval", "00:00:00", []),
        ("Otlp:Headers", "=,,=novalue", [("Otlp:Endpoint", "http://127.0.0.1:4318")]),
        ("Telemetry:SelfMetrics", "some", []),
        ("Security:MetricsToken", "short", []),
        ("Security:MetricsTokenFile", "/nonexistent/token", []),
        ("Security:DiagnosticsToken", "short", []),
        ("Security:DiagnosticsTokenFile", "/nonexistent/token", []),
        ("Diagnostics:Enabled", "true", []), // no token configured
        ("Diagnostics:Directory", "relative/dir", []),
        ("Diagnostics:MaxBytes", "12", []),
        ("Diagnostics:MinFreeBytes", "-1", []),
        ("Diagnostics:Retention", "00:00:01", []),
        ("Diagnostics:StacksDirectory", "tmp", []),
        ("Diagnostics:MaxTraceDuration", "02:00:00", []),
        ("Profiling:Enabled", "sometimes", []),
        ("Profiling:Interval", "00:00:01", []),
        ("Profiling:Window", "00:00:40", []),
        ("Probes:p:Kind", "ldap", []),
        ("Probes:p:ConnectionString", "", [("Probes:p:Kind", "redis")]),
        ("Probes:p:ConnectionStringFile", "/nonexistent/secret", [("Probes:p:Kind", "postgres")]),
        ("Probes:p:Url", "not a url", [("Probes:p:Kind", "http")]),
        ("Probes:p:ExpectedStatus", "abc", [("Probes:p:Kind", "http"), ("Probes:p:Url", "http://x/")]),
        ("Probes:p:Host", " ", [("Probes:p:Kind", "tcp"), ("Probes:p:Port", "1")]),
        ("Probes:p:Port", "0", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h")]),
        ("Probes:p:Send", "x", [("Probes:p:Kind", "http"), ("Probes:p:Url", "http://x/")]), // not a key of http
        ("Probes:p:Expect", "x", [("Probes:p:Kind", "redis"), ("Probes:p:ConnectionString", "h:1")]), // not a key of redis
        ("Probes:p:Timeout", "-00:00:01", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h"), ("Probes:p:Port", "1")]),
        ("Probes:p:Period", "00:00:00.010", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h"), ("Probes:p:Port", "1")]),
        ("Probes:p:Critical", "very", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h"), ("Probes:p:Port", "1")]),
        ("Triggers:t:Metric", "no_such_metric", [("Triggers:t:Above", "1")]),
        ("Triggers:t:Above", "lots", [("Triggers:t:Metric", "target_process_threads")]),
        ("Triggers:t:For", "-00:00:01", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1")]),
        ("Triggers:t:GrowthAbove", "0", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Window", "00:00:10")]),
        ("Triggers:t:Window", "00:00:00.001", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:GrowthAbove", "1")]),
        ("Triggers:t:Actions", "explode", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1")]),
        ("Triggers:t:Cooldown", "-00:00:01", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1")]),
        ("Triggers:t:MaxPerHour", "0", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1")]),
        ("Triggers:t:Target", "nosuch", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1")]),
    ];

    public static TheoryData<string> Keys() => new(Cases.Select(c => c.Key));

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task A_bad_value_exits_2_naming_the_key(string key)
    {
        var c = Cases.Single(x => x.Key == key);
        var settings = c.With.Append((c.Key, c.Bad)).ToDictionary(kv => kv.Item1, kv => kv.Item2);
        await using var agent = await AgentProcess.Start(settings, waitHealthy: false);

        var code = await agent.Process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        Assert.Contains($"configuration error: {key}", agent.Process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_known_key_has_a_case()
    {
        var known = KnownKeys.All
            .SelectMany(s => s.Value.Select(k => $"{s.Key}:{k}"))
            .Where(k => !KnownKeys.All.ContainsKey(k)) // "Runtime:Dotnet" is a section
            .ToHashSet();

        Assert.Empty(known.Except(Cases.Select(c => c.Key)));
    }

    [Fact]
    public async Task Two_selectors_from_environment_and_command_line_are_refused()
    {
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Target:ProcessName"] = "x" },
            waitHealthy: false,
            env: new Dictionary<string, string?> { ["Target__Pid"] = "1" });

        var code = await agent.Process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(2, code);
        Assert.Contains("only one target selector", agent.Process.Stderr, StringComparison.Ordinal);
    }
}
