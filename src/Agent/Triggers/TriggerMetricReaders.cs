using System.Collections.Frozen;
using Agent.Configuration;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Triggers;

/// <summary>
/// How each metric of <see cref="TriggerMetricCatalog"/> is read, by name, from what the sampling
/// loop and the runtime session already published. A test keeps the two lists equal.
/// </summary>
internal static class TriggerMetricReaders
{
    private static readonly FrozenDictionary<string, Func<TargetSnapshot, DotnetRuntimeSnapshot?, double?>> ByName = new (string Name, Func<TargetSnapshot, DotnetRuntimeSnapshot?, double?> Read)[]
    {
        (TriggerMetricCatalog.Restarts, (t, _) => t.Restarts),
        ("target_process_cpu_seconds_total", (t, _) => t.Sample is { } s ? s.CpuUserSeconds + s.CpuSystemSeconds : null),
        ("target_process_resident_memory_bytes", (t, _) => t.Sample?.ResidentBytes),
        ("target_process_resident_memory_peak_bytes", (t, _) => t.Sample?.ResidentPeakBytes),
        ("target_process_virtual_memory_bytes", (t, _) => t.Sample?.VirtualBytes),
        ("target_process_swap_bytes", (t, _) => t.Sample?.SwapBytes),
        ("target_process_threads", (t, _) => t.Sample?.Threads),
        ("target_process_open_fds", (t, _) => t.Sample?.OpenFds),
        ("target_processes", (t, _) => t.Sample?.ProcessCount),
        ("target_process_io_read_bytes_total", (t, _) => t.Sample?.IoReadBytes),
        ("target_process_io_write_bytes_total", (t, _) => t.Sample?.IoWriteBytes),
        ("target_process_context_switches_total", (t, _) => t.Sample is { VoluntaryContextSwitches: { } v, InvoluntaryContextSwitches: { } i } ? v + i : null),
        ("target_process_page_faults_total", (t, _) => t.Sample is { } s ? s.MinorPageFaults + s.MajorPageFaults : null),
        (TriggerMetricCatalog.OomKilledRestarts, (t, _) => t.Oom.KilledRestarts),
        (TriggerMetricCatalog.OomKills, (t, _) => t.Oom.Kills),
        ("target_container_memory_usage_bytes", (t, _) => t.Container?.Values.MemoryUsage),
        ("target_container_memory_working_set_bytes", (t, _) => t.Container?.Values.WorkingSet),
        ("target_container_memory_working_set_ratio", (t, _) => t.Container?.Values.WorkingSetRatio),
        ("target_container_cpu_throttled_ratio", (t, _) => t.Container?.ThrottledRatio),
        ("target_container_cpu_usage_seconds_total", (t, _) => Seconds(t.Container?.Values.CpuUsageMicros)),
        ("target_container_cpu_cfs_throttled_seconds_total", (t, _) => Seconds(t.Container?.Values.CpuStat.ThrottledMicros)),
        ("target_container_pressure_cpu_waiting_seconds_total", (t, _) => Seconds(t.Container?.Values.CpuPressure.SomeMicros)),
        ("target_container_pressure_memory_waiting_seconds_total", (t, _) => Seconds(t.Container?.Values.MemoryPressure.SomeMicros)),
        ("target_container_pressure_memory_stalled_seconds_total", (t, _) => Seconds(t.Container?.Values.MemoryPressure.FullMicros)),
        ("target_container_pressure_io_waiting_seconds_total", (t, _) => Seconds(t.Container?.Values.IoPressure.SomeMicros)),
        ("target_dotnet_gc_heap_size_bytes", (t, r) => Runtime(t, r)?.HeapSizeBytes),
        ("target_dotnet_gc_pause_ratio", (t, r) => Runtime(t, r)?.PauseRatio),
        ("target_dotnet_gc_allocated_bytes_total", (t, r) => Runtime(t, r)?.AllocatedBytes),
        ("target_dotnet_threadpool_threads", (t, r) => Runtime(t, r)?.ThreadPoolThreads),
        ("target_dotnet_threadpool_queue_length", (t, r) => Runtime(t, r)?.ThreadPoolQueueLength),
        ("target_dotnet_exceptions_total", (t, r) => Runtime(t, r)?.Exceptions),
        ("target_dotnet_lock_contentions_total", (t, r) => Runtime(t, r)?.LockContentions),
    }.ToFrozenDictionary(m => m.Name, m => m.Read, StringComparer.Ordinal);

    // Traffic (Telemetry/TrafficMetrics): the server side, summed over routes; a quantile is the slowest route's of the last interval.
    private static readonly FrozenDictionary<string, Func<Traffic.TrafficSnapshot, double>> TrafficByName = new (string Name, Func<Traffic.TrafficSnapshot, double> Read)[]
    {
        (TriggerMetricCatalog.TrafficQuantile("0.99"), t => t.Last.P99),
        (TriggerMetricCatalog.TrafficQuantile("0.95"), t => t.Last.P95),
        (TriggerMetricCatalog.TrafficQuantile("0.5"), t => Slowest(t, s => s.P50)),
        (TriggerMetricCatalog.TrafficRequests, t => t.Requests),
        (TriggerMetricCatalog.TrafficServerErrors, t => t.ServerErrors),
    }.ToFrozenDictionary(m => m.Name, m => m.Read, StringComparer.Ordinal);

    public static IEnumerable<string> Names => ByName.Keys.Concat(TrafficByName.Keys).Order(StringComparer.Ordinal);

    /// <summary>For a traffic family: its value in the target's current traffic (null while it serves none); null for every other metric.</summary>
    public static Func<Traffic.TrafficSnapshot?, double?>? TrafficFor(TriggerMetric metric) =>
        TrafficByName.TryGetValue(metric.Name, out var read)
            ? t => t is { } s && s.ServesHttp && read(s) is var v && !double.IsNaN(v) ? v : null
            : null;

    /// <summary>The largest value of the last interval among the server's duration series (an upper bound of the whole).</summary>
    private static double Slowest(Traffic.TrafficSnapshot t, Func<Traffic.TrafficSeries, double> read) =>
        t.Series.Where(s => s.Family == Agent.Traffic.TrafficFamily.ServerDuration).Select(read).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();

    /// <summary>
    /// The reader of <paramref name="metric"/>: its value now, or null while it is unknown (no
    /// target, unreadable, runtime not attached).
    /// </summary>
    public static Func<TargetSnapshot, DotnetRuntimeSnapshot?, double?> For(TriggerMetric metric) =>
        ByName.TryGetValue(metric.Name, out var read) ? read
        : TrafficByName.ContainsKey(metric.Name) ? static (_, _) => null
        : throw new InvalidOperationException($"no reader for the trigger metric {metric.Name}");

    private static double? Seconds(long? micros) => micros / 1e6;

    /// <summary>The runtime's counters only while they describe the current target process, never a predecessor's.</summary>
    private static DotnetRuntimeSnapshot? Runtime(TargetSnapshot t, DotnetRuntimeSnapshot? r) =>
        r is not null && t.Sample is { } s && s.Identity.Pid == r.Pid ? r : null;
}
