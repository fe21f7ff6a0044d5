using System.Collections.Frozen;

namespace Agent.Configuration;

/// <summary>
/// The exported <c>target_*</c> metrics a trigger can watch, by their Prometheus names. A test
/// scrapes a real agent and checks that every name here is one it exports; another checks that
/// <c>Triggers.TriggerMetricReaders</c> reads exactly these.
/// </summary>
internal static class TriggerMetricCatalog
{
    /// <summary>The metric whose rate is above 0 on the tick a restarted target is first seen.</summary>
    public const string Restarts = "target_restarts_total";

    /// <summary>Restarts whose previous process the OOM killer killed.</summary>
    public const string OomKilledRestarts = "target_restarts_oom_killed_total";

    /// <summary>OOM kills in the target's cgroup (its own process or another one of the cgroup).</summary>
    public const string OomKills = "target_container_oom_events_total";

    private static readonly FrozenDictionary<string, TriggerMetric> ByName = new TriggerMetric[]
    {
        new(Restarts, TriggerMetricKind.Counter, Bytes: false, PerProcess: false),
        Counter("target_process_cpu_seconds_total", bytes: false),
        Gauge("target_process_resident_memory_bytes", bytes: true),
        Gauge("target_process_resident_memory_peak_bytes", bytes: true),
        Gauge("target_process_virtual_memory_bytes", bytes: true),
        Gauge("target_process_swap_bytes", bytes: true),
        Gauge("target_process_threads", bytes: false),
        Gauge("target_process_open_fds", bytes: false),
        Gauge("target_processes", bytes: false),
        Counter("target_process_io_read_bytes_total", bytes: true),
        Counter("target_process_io_write_bytes_total", bytes: true),
        Counter("target_process_context_switches_total", bytes: false),
        Counter("target_process_page_faults_total", bytes: false),
        new(OomKilledRestarts, TriggerMetricKind.Counter, Bytes: false, PerProcess: false),
        new(OomKills, TriggerMetricKind.Counter, Bytes: false, PerProcess: false),
        Gauge("target_container_memory_usage_bytes", bytes: true),
        Gauge("target_container_memory_working_set_bytes", bytes: true),
        Gauge("target_container_memory_working_set_ratio", bytes: false),
        Gauge("target_container_cpu_throttled_ratio", bytes: false),
        Counter("target_container_cpu_usage_seconds_total", bytes: false),
        Counter("target_container_cpu_cfs_throttled_seconds_total", bytes: false),
        Counter("target_container_pressure_cpu_waiting_seconds_total", bytes: false),
        Counter("target_container_pressure_memory_waiting_seconds_total", bytes: false),
        Counter("target_container_pressure_memory_stalled_seconds_total", bytes: false),
        Counter("target_container_pressure_io_waiting_seconds_total", bytes: false),
        Gauge("target_dotnet_gc_heap_size_bytes", bytes: true),
        Gauge("target_dotnet_gc_pause_ratio", bytes: false),
        Counter("target_dotnet_gc_allocated_bytes_total", bytes: true),
        Gauge("target_dotnet_threadpool_threads", bytes: false),
        Gauge("target_dotnet_threadpool_queue_length", bytes: false),
        Counter("target_dotnet_exceptions_total", bytes: false),
        Counter("target_dotnet_lock_contentions_total", bytes: false),

        // Traffic (Telemetry/TrafficMetrics): the server side, summed over routes; a quantile is the slowest route's of the last interval.
        Gauge(TrafficQuantile("0.99"), bytes: false),
        Gauge(TrafficQuantile("0.95"), bytes: false),
        Gauge(TrafficQuantile("0.5"), bytes: false),
        Counter(TrafficRequests, bytes: false),
        Counter(TrafficServerErrors, bytes: false),
    }.ToFrozenDictionary(m => Normalized(m.Name), StringComparer.Ordinal);

    /// <summary>The traffic families' names a trigger may watch (their values come from the target's traffic, not its process).</summary>
    public const string TrafficRequests = "target_http_server_request_duration_seconds_count";

    public const string TrafficServerErrors = "target_http_server_requests_total{http_response_status_code=~\"5..\"}";

    public static IEnumerable<string> Names => ByName.Values.Select(m => m.Name).Order(StringComparer.Ordinal);

    /// <summary>Looks a name up as PromQL writes it; quotes and spaces inside a selector are optional (<c>{quantile=0.99}</c>).</summary>
    public static bool TryGet(string name, out TriggerMetric metric) => ByName.TryGetValue(Normalized(name), out metric!);

    public static string TrafficQuantile(string q) => $"target_http_server_request_duration_seconds{{quantile=\"{q}\"}}";

    private static string Normalized(string name) => string.Concat(name.Where(c => c is not ('"' or '\'' or ' ')));

    private static TriggerMetric Gauge(string name, bool bytes) => new(name, TriggerMetricKind.Gauge, bytes, PerProcess: true);

    private static TriggerMetric Counter(string name, bool bytes) => new(name, TriggerMetricKind.Counter, bytes, PerProcess: true);
}
