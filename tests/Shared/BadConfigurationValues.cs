namespace Agent.Tests.Shared;

/// <summary>
/// One bad value for every configuration key the agent reads, with what else the key needs to be
/// reached (a probe's Kind, a trigger's Metric). Shared by the unit test of the settings loader and
/// the integration test that starts the real binary; both fail when a key of
/// <c>KnownKeys.Every</c> has no case here. A key that takes any string (a gRPC <c>Service</c>) is
/// tried where it does not belong, on another probe kind.
/// </summary>
internal static class BadConfigurationValues
{
    private static readonly (string, string)[] Tcp = [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h"), ("Probes:p:Port", "1")];
    private static readonly (string, string)[] Threads = [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Above", "1")];

    public static readonly (string Key, string Bad, (string, string)[] With)[] Cases =
    [
        ("Target:Pid", "-1", []),
        ("Target:Pidd", "12", []), // unknown key
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
        ("Targets:web:MetricsUrl", "127.0.0.1:8000/metrics", [("Targets:web:Port", "80")]), // no scheme
        ("Targets:web:Prot", "80", []), // a typo is refused
        ("Targets:w.b", "x", [("Targets:w.b:Port", "80")]), // not a valid name
        ("Targets:app", "x", [("Target:ProcessName", "a"), ("Targets:app:Port", "80")]), // "app" is the single target's name
        ("Sampling:Interval", "00:00:00.001", []),
        ("Sampling:ProcRoot", "relative/proc", []),
        ("Sampling:CgroupInterval", "00:00:00", []),
        ("Readiness:RequireTarget", "maybe", []),
        ("Runtime:MetricsUrl", "ftp://x/metrics", []),
        ("Runtime:MetricsInclude", "(", []),
        ("Runtime:MetricsTimeout", "00:05:00", []),
        ("Runtime:Dotnet:Enabled", "on", []),
        ("Runtime:Dotnet:DiagnosticPort", "relative.sock", []),
        ("Runtime:Dotnet:MaxHistograms", "0", []),
        ("Runtime:Dotnet:MaxTimeSeries", "lots", []),
        ("Traffic:Enabled", "yes please", []),
        ("Traffic:MaxSeries", "0", []),
        ("Traffic:StatsdPort", "70000", []),
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
        ("Diagnostics:HeapWindow", "00:00:00.500", []),
        ("Profiling:Enabled", "sometimes", []),
        ("Profiling:Interval", "00:00:01", []),
        ("Profiling:Window", "00:00:40", []), // more than half of the default 60 s interval
        ("Profiling:PushUrl", "ftp://pyroscope:4040", []),
        ("Probes:p:Kind", "ldap", []),
        ("Probes:p:ConnectionString", "", [("Probes:p:Kind", "redis")]),
        ("Probes:p:ConnectionStringFile", "/nonexistent/secret", [("Probes:p:Kind", "postgres")]),
        ("Probes:p:Url", "not a url", [("Probes:p:Kind", "http")]),
        ("Probes:p:ExpectedStatus", "abc", [("Probes:p:Kind", "http"), ("Probes:p:Url", "http://x/")]),
        ("Probes:p:CaFile", "/nonexistent/ca.pem", [("Probes:p:Kind", "http"), ("Probes:p:Url", "https://x/")]),
        ("Probes:p:Address", "127.0.0.1:50051", [("Probes:p:Kind", "grpc")]), // no scheme
        ("Probes:p:Service", "grpc.health.v1.Health", [("Probes:p:Kind", "http"), ("Probes:p:Url", "http://x/")]), // not a key of http
        ("Probes:p:Host", " ", [("Probes:p:Kind", "tcp"), ("Probes:p:Port", "1")]),
        ("Probes:p:Port", "0", [("Probes:p:Kind", "tcp"), ("Probes:p:Host", "h")]),
        ("Probes:p:Send", "x", [("Probes:p:Kind", "http"), ("Probes:p:Url", "http://x/")]), // not a key of http
        ("Probes:p:Expect", "x", [("Probes:p:Kind", "redis"), ("Probes:p:ConnectionString", "h:1")]), // not a key of redis
        ("Probes:p:Timeout", "-00:00:01", Tcp),
        ("Probes:p:Period", "00:00:00.010", Tcp),
        ("Probes:p:Critical", "very", Tcp),
        ("Probes:p:FailureThreshold", "0", Tcp),
        ("Probes:p:SuccessThreshold", "101", Tcp),
        ("Triggers:t:Metric", "no_such_metric", [("Triggers:t:Above", "1")]),
        ("Triggers:t:Above", "lots", [("Triggers:t:Metric", "target_process_threads")]),
        ("Triggers:t:For", "-00:00:01", Threads),
        ("Triggers:t:GrowthAbove", "0", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:Window", "00:00:10")]),
        ("Triggers:t:Window", "00:00:00.001", [("Triggers:t:Metric", "target_process_threads"), ("Triggers:t:GrowthAbove", "1")]),
        ("Triggers:t:Actions", "explode", Threads),
        ("Triggers:t:Cooldown", "-00:00:01", Threads),
        ("Triggers:t:MaxPerHour", "0", Threads),
        ("Triggers:t:Target", "nosuch", Threads),
    ];

    /// <summary>A case's key with its entry's name replaced as in <c>KnownKeys.Every</c> (<c>Probes:p:Kind</c> → <c>Probes:&lt;name&gt;:Kind</c>).</summary>
    public static string Pattern(string key, IEnumerable<string> namedSections, string placeholder)
    {
        var parts = key.Split(':');
        return parts.Length == 3 && namedSections.Contains(parts[0], StringComparer.OrdinalIgnoreCase) ? $"{parts[0]}:{placeholder}:{parts[2]}" : key;
    }

    public static TheoryData<string> Keys() => new(Cases.Select(c => c.Key));

    public static IEnumerable<KeyValuePair<string, string?>> Settings(string key)
    {
        var c = Cases.Single(x => x.Key == key);
        return c.With.Append((c.Key, c.Bad)).Select(kv => new KeyValuePair<string, string?>(kv.Item1, kv.Item2));
    }
}
