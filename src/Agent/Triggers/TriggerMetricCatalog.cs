using System.Collections.Frozen;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Triggers;

/// <summary>
/// The exported <c>target_*</c> metrics a trigger can watch, by their Prometheus names. A test
/// scrapes a real agent and checks that every name here is one it exports.
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
        new(Restarts, TriggerMetricKind.Counter, Bytes: false, PerProcess: false, (t, _) => t.Restarts),
        Counter("target_process_cpu_seconds_total", (t, _) => t.Sample is { } s ? s.CpuUserSeconds + s.CpuSystemSeconds : null, bytes: false),
        Gauge("target_process_resident_memory_bytes", (t, _) => t.Sample?.ResidentBytes, bytes: true),
        Gauge("target_process_resident_memory_peak_bytes", (t, _) => t.Sample?.ResidentPeakBytes, bytes: true),
        Gauge("target_process_virtual_memory_bytes", (t, _) => t.Sample?.VirtualBytes, bytes: true),
        Gauge("target_process_swap_bytes", (t, _) => t.Sample?.SwapBytes, bytes: true),
        Gauge("target_process_threads", (t, _) => t.Sample?.Threads, bytes: false),
        Gauge("target_process_open_fds", (t, _) => t.Sample?.OpenFds, bytes: false),
        Gauge("target_processes", (t, _) => t.Sample?.ProcessCount, bytes: false),
        Counter("target_process_io_read_bytes_total", (t, _) => t.Sample?.IoReadBytes, bytes: true),
        Counter("target_process_io_write_bytes_total", (t, _) => t.Sample?.IoWriteBytes, bytes: true),
        Counter("target_process_context_switches_total", (t, _) => t.Sample is { VoluntaryContextSwitches: { } v, InvoluntaryContextSwitches: { } i } ? v + i : null, bytes: false),
        Counter("target_process_page_faults_total", (t, _) => t.Sample is { } s ? s.MinorPageFaults + s.MajorPageFaults : null, bytes: false),
        new(OomKilledRestarts, TriggerMetricKind.Counter, Bytes: false, PerProcess: false, (t, _) => t.Oom.KilledRestarts),
        new(OomKills, TriggerMetricKind.Counter, Bytes: false, PerProcess: false, (t, _) => t.Oom.Kills),
        Gauge("target_container_memory_usage_bytes", (t, _) => t.Container?.Values.MemoryUsage, bytes: true),
        Gauge("target_container_memory_working_set_bytes", (t, _) => t.Container?.Values.WorkingSet, bytes: true),
        Gauge("target_container_memory_working_set_ratio", (t, _) => t.Container?.Values.WorkingSetRatio, bytes: false),
        Gauge("target_container_cpu_throttled_ratio", (t, _) => t.Container?.ThrottledRatio, bytes: false),
        Counter("target_container_cpu_usage_seconds_total", (t, _) => Seconds(t.Container?.Values.CpuUsageMicros), bytes: false),
        Counter("target_container_cpu_cfs_throttled_seconds_total", (t, _) => Seconds(t.Container?.Values.CpuStat.ThrottledMicros), bytes: false),
        Counter("target_container_pressure_cpu_waiting_seconds_total", (t, _) => Seconds(t.Container?.Values.CpuPressure.SomeMicros), bytes: false),
        Counter("target_container_pressure_memory_waiting_seconds_total", (t, _) => Seconds(t.Container?.Values.MemoryPressure.SomeMicros), bytes: false),
        Counter("target_container_pressure_memory_stalled_seconds_total", (t, _) => Seconds(t.Container?.Values.MemoryPressure.FullMicros), bytes: false),
        Counter("target_container_pressure_io_waiting_seconds_total", (t, _) => Seconds(t.Container?.Values.IoPressure.SomeMicros), bytes: false),
        Gauge("target_dotnet_gc_heap_size_bytes", (t, r) => Runtime(t, r)?.HeapSizeBytes, bytes: true),
        Gauge("target_dotnet_gc_pause_ratio", (t, r) => Runtime(t, r)?.PauseRatio, bytes: false),
        Counter("target_dotnet_gc_allocated_bytes_total", (t, r) => Runtime(t, r)?.AllocatedBytes, bytes: true),
        Gauge("target_dotnet_threadpool_threads", (t, r) => Runtime(t, r)?.ThreadPoolThreads, bytes: false),
        Gauge("target_dotnet_threadpool_queue_length", (t, r) => Runtime(t, r)?.ThreadPoolQueueLength, bytes: false),
        Counter("target_dotnet_exceptions_total", (t, r) => Runtime(t, r)?.Exceptions, bytes: false),
        Counter("target_dotnet_lock_contentions_total", (t, r) => Runtime(t, r)?.LockContentions, bytes: false),

        // Traffic (Telemetry/TrafficMetrics): the server side, summed over routes; a quantile is the slowest route's of the last interval.
        Traffic(TrafficQuantile("0.99"), TriggerMetricKind.Gauge, t => t.Last.P99),
        Traffic(TrafficQuantile("0.95"), TriggerMetricKind.Gauge, t => t.Last.P95),
        Traffic(TrafficQuantile("0.5"), TriggerMetricKind.Gauge, t => Slowest(t, s => s.P50)),
        Traffic("target_http_server_request_duration_seconds_count", TriggerMetricKind.Counter, t => t.Requests),
        Traffic("target_http_server_requests_total{http_response_status_code=~\"5..\"}", TriggerMetricKind.Counter, t => t.ServerErrors),
    }.ToFrozenDictionary(m => Normalized(m.Name), StringComparer.Ordinal);

    public static IEnumerable<string> Names => ByName.Values.Select(m => m.Name).Order(StringComparer.Ordinal);

    /// <summary>Looks a name up as PromQL writes it; quotes and spaces inside a selector are optional (<c>{quantile=0.99}</c>).</summary>
    public static bool TryGet(string name, out TriggerMetric metric) => ByName.TryGetValue(Normalized(name), out metric!);

    private static string Normalized(string name) => string.Concat(name.Where(c => c is not ('"' or '\'' or ' ')));

    private static string TrafficQuantile(string q) => $"target_http_server_request_duration_seconds{{quantile=\"{q}\"}}";

    private static TriggerMetric Traffic(string name, TriggerMetricKind kind, Func<Traffic.TrafficSnapshot, double> read) =>
        new(name, kind, Bytes: false, PerProcess: true, (_, _) => null)
        {
            ReadTraffic = t => t is { } s && s.ServesHttp && read(s) is var v && !double.IsNaN(v) ? v : null,
        };

    /// <summary>The largest value of the last interval among the server's duration series (an upper bound of the whole).</summary>
    private static double Slowest(Traffic.TrafficSnapshot t, Func<Traffic.TrafficSeries, double> read) =>
        t.Series.Where(s => s.Family == Agent.Traffic.TrafficFamily.ServerDuration).Select(read).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();

    private static TriggerMetric Gauge(string name, Func<TargetSnapshot, DotnetRuntimeSnapshot?, double?> read, bool bytes) =>
        new(name, TriggerMetricKind.Gauge, bytes, PerProcess: true, read);

    private static TriggerMetric Counter(string name, Func<TargetSnapshot, DotnetRuntimeSnapshot?, double?> read, bool bytes) =>
        new(name, TriggerMetricKind.Counter, bytes, PerProcess: true, read);

    private static double? Seconds(long? micros) => micros / 1e6;

    /// <summary>The runtime's counters only while they describe the current target process, never a predecessor's.</summary>
    private static DotnetRuntimeSnapshot? Runtime(TargetSnapshot t, DotnetRuntimeSnapshot? r) =>
        r is not null && t.Sample is { } s && s.Identity.Pid == r.Pid ? r : null;
}
