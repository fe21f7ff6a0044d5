using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Hostile;

/// <summary>Every configuration key, given a bad value, stops startup with an error naming it.</summary>
public class EveryKeyTests
{
    // key → a bad value, plus what else the key needs to be reached (e.g. a probe's Kind).
    private static readonly (string Key, string Bad, (string, string)[] With)[] Cases =
    [
        ("Target:Pid", "-1", []),
        ("Target:PidFile", "", []),
        ("Target:ProcessName", "a/b", []),
        ("Target:CommandLinePattern", "[", []),
        ("Target:IncludeChildren", "perhaps", []),
        ("Target:Auto", "2", []),
        ("Target:Port", "70000", []),
        ("Target:AutoProxies", "envoy,/usr/bin/x", [("Target:Auto", "true")]),
        ("Targets:web:Pid", "-1", []),
        ("Targets:web:PidFile", "", []),
        ("Targets:web:ProcessName", "a/b", []),
        ("Targets:web:CommandLinePattern", "[", []),
        ("Targets:web:Port", "0", []),
        ("Targets:web:IncludeChildren", "perhaps", [("Targets:web:Port", "80")]),
        ("Targets:web:Required", "maybe", [("Targets:web:Port", "80")]),
        ("Targets:web:MetricsUrl", "ftp://x/metrics", [("Targets:web:Port", "80")]),
        ("Targets:web:Prot", "80", []), // a typo is refused
        ("Targets:w.b", "x", [("Targets:w.b:Port", "80")]), // not a valid name
        ("Targets:app", "x", [("Target:ProcessName", "a"), ("Targets:app:Port", "80")]), // "app" is the single target's name
        ("Sampling:Interval", "00:00:00.001", []),
        ("Sampling:ProcRoot", "relative/proc", []),
        ("Readiness:RequireTarget", "maybe", []),
        ("Runtime:MetricsUrl", "ftp://x/metrics", []),
        ("Runtime:MetricsInclude", "(", []),
        ("Runtime:MetricsTimeout", "00:05:00", []),
        ("Runtime:Dotnet:Enabled", "on", []),
        ("Runtime:Dotnet:DiagnosticPort", "relative.sock", []),
        ("Otlp:Endpoint", "collector:4318", []),
        ("Otlp:Protocol", "thrift", []),
        ("Otlp:ExportInterval", "00:00:00", []),
        ("Otlp:Headers", "x", [("Otlp:Headers:Nested", "y")]),
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
        ("Diagnostics:HeapWindow", "00:00:00.500", []),
        ("Profiling:Enabled", "sometimes", []),
        ("Profiling:Interval", "00:00:01", []),
        ("Profiling:Window", "00:00:40", []), // more than half of the default 60 s interval
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
        ("Probes:p:FailureThreshold", "0", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h"), ("Probes:p:Port", "1")]),
        ("Probes:p:SuccessThreshold", "101", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h"), ("Probes:p:Port", "1")]),
    ];

    public static TheoryData<string> Keys() => new(Cases.Select(c => c.Key));

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_bad_value_names_the_key(string key)
    {
        var c = Cases.Single(x => x.Key == key);
        var values = c.With.Append((c.Key, c.Bad)).Select(kv => new KeyValuePair<string, string?>(kv.Item1, kv.Item2));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var e = Assert.Throws<ConfigurationException>(() => AgentSettings.Load(configuration));

        Assert.StartsWith(key, e.Key, StringComparison.Ordinal);
        Assert.StartsWith(e.Key + ": ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length > e.Key.Length + 10, "the message explains the problem: " + e.Message);
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
}
