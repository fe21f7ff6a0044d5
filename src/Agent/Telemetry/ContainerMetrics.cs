using System.Diagnostics.Metrics;
using Agent.Containers;
using Agent.Sampling;

namespace Agent.Telemetry;

/// <summary>
/// The container view of every target: its cgroup's memory against its limit, CPU time and
/// throttling, pressure stalls and pids, named after the kubelet's cAdvisor families
/// (<c>container_memory_working_set_bytes</c> → <c>target_container_memory_working_set_bytes</c>)
/// so dashboards translate. Callbacks only read the latest snapshot. A value whose file is
/// missing (no such controller, an older kernel) is omitted, never exported as 0; a limit is
/// absent while unlimited. Every series carries <c>target</c>.
/// </summary>
internal sealed class ContainerMetrics : IDisposable
{
    public const string MeterName = "Agent.Container";

    /// <summary>
    /// At most 128 series per container family (one per target; three for the memory events), under
    /// Target:Auto too (<see cref="MetricStreams"/> applies it):
    /// the SDK allocates every stream's points up front, and its default of 2000 put 27 arrays of
    /// ~130 KiB each on the large-object heap (+3.6 MiB of resident memory measured on the idle
    /// agent) for series that number one per target.
    /// </summary>
    public const int CardinalityLimit = 128;

    private static readonly KeyValuePair<string, object?> High = new("event", "high");
    private static readonly KeyValuePair<string, object?> Max = new("event", "max");
    private static readonly KeyValuePair<string, object?> Oom = new("event", "oom");

    private readonly Meter _meter;
    private readonly TargetSnapshotStore _store;

    public ContainerMetrics(IMeterFactory meterFactory, TargetSnapshotStore store)
    {
        _store = store;
        _meter = meterFactory.Create(MeterName, typeof(ContainerMetrics).Assembly.GetName().Version?.ToString(3));
        var m = _meter;

        // target_container_info{target,cgroup,version,route}
        m.CreateObservableGauge("target.container.info", Info, null, "Always 1 while the target's cgroup is read; labels: its path, hierarchy version (1 or 2) and how the agent reaches it (agent_mount or target_root)");

        // Memory (cAdvisor: container_memory_usage_bytes, _working_set_bytes, _rss, _cache, container_spec_memory_limit_bytes).
        m.CreateObservableGauge("target.container.memory.usage", () => Bytes(v => v.MemoryUsage), "By", "Memory charged to the cgroup: anonymous, page cache, tmpfs, kernel (v2 memory.current, v1 memory.usage_in_bytes)");
        m.CreateObservableGauge("target.container.memory.working_set", () => Bytes(v => v.WorkingSet), "By", "Usage minus inactive file pages: what the kubelet compares with the limit to evict, and what the OOM killer cannot reclaim");
        m.CreateObservableGauge("target.container.memory.limit", () => Bytes(v => v.MemoryUnlimited ? null : v.MemoryLimit), "By", "Memory limit (v2 memory.max, v1 memory.limit_in_bytes); absent when unlimited");
        m.CreateObservableGauge("target.container.memory.working_set_ratio", () => Ratio(s => s.Values.WorkingSetRatio), null, "Working set divided by the limit (1 = at the limit); absent when unlimited");
        m.CreateObservableGauge("target.container.memory.high", () => Bytes(v => v.MemoryHigh), "By", "v2 memory.high: above it the cgroup is throttled into reclaim; absent when max or on v1");
        m.CreateObservableGauge("target.container.memory.rss", () => Bytes(v => v.MemoryStat.Anon), "By", "Anonymous memory (memory.stat anon, v1 total_rss)");
        m.CreateObservableGauge("target.container.memory.cache", () => Bytes(v => v.MemoryStat.File), "By", "Page cache including tmpfs (memory.stat file, v1 total_cache)");

        // target_container_memory_events_total{event=high|max|oom} (v2 memory.events) and target_container_oom_events_total.
        m.CreateObservableCounter("target.container.memory.events", Events, null, "Memory events of the cgroup (v2 memory.events): high = over memory.high, max = at memory.max, oom = limit hit and reclaim failed");
        m.CreateObservableCounter("target.container.oom_events", () => Counter(s => s.OomKills), null, "Processes of the target's cgroup killed by the OOM killer (memory.events oom_kill, v1 memory.oom_control oom_kill), kept across its restarts (cAdvisor: container_oom_events_total)");

        // CPU (cAdvisor: container_cpu_usage_seconds_total, container_cpu_cfs_*; limit = quota / period).
        m.CreateObservableCounter("target.container.cpu.usage", () => Seconds(v => v.CpuUsageMicros), "s", "CPU time of every task in the cgroup (v2 cpu.stat usage_usec, v1 cpuacct.usage)");
        m.CreateObservableGauge("target.container.cpu.limit_cores", () => Ratio(s => s.Values.CpuMax.Cores), null, "CPU limit in cores: CFS quota divided by period (v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us); absent when unlimited");
        m.CreateObservableCounter("target.container.cpu.cfs_periods", () => Counter(s => s.Values.CpuStat.Periods), null, "CFS enforcement periods in which the cgroup had runnable tasks (cpu.stat nr_periods)");
        m.CreateObservableCounter("target.container.cpu.cfs_throttled_periods", () => Counter(s => s.Values.CpuStat.ThrottledPeriods), null, "Periods in which the cgroup used up its quota and was throttled (cpu.stat nr_throttled)");
        m.CreateObservableCounter("target.container.cpu.cfs_throttled", () => Seconds(v => v.CpuStat.ThrottledMicros), "s", "Time the cgroup's tasks were held back by the quota (cpu.stat throttled_usec, v1 throttled_time)");
        m.CreateObservableGauge("target.container.cpu.throttled_ratio", () => Ratio(s => s.ThrottledRatio), null, "Share of the CFS periods since the previous cgroup read (Sampling:CgroupInterval) that were throttled (0-1); absent without a CPU limit");

        // Pressure stall totals (v2 PSI), cAdvisor's container_pressure_*: waiting = "some", stalled = "full".
        m.CreateObservableCounter("target.container.pressure.cpu.waiting", () => Seconds(v => v.CpuPressure.SomeMicros), "s", "Time at least one task of the cgroup waited for CPU (cpu.pressure some total)");
        m.CreateObservableCounter("target.container.pressure.cpu.stalled", () => Seconds(v => v.CpuPressure.FullMicros), "s", "Time no task of the cgroup could run for lack of CPU (cpu.pressure full total)");
        m.CreateObservableCounter("target.container.pressure.memory.waiting", () => Seconds(v => v.MemoryPressure.SomeMicros), "s", "Time at least one task waited on memory: reclaim, swap-in, refaults (memory.pressure some total)");
        m.CreateObservableCounter("target.container.pressure.memory.stalled", () => Seconds(v => v.MemoryPressure.FullMicros), "s", "Time every task of the cgroup waited on memory at once (memory.pressure full total)");
        m.CreateObservableCounter("target.container.pressure.io.waiting", () => Seconds(v => v.IoPressure.SomeMicros), "s", "Time at least one task waited on I/O (io.pressure some total)");
        m.CreateObservableCounter("target.container.pressure.io.stalled", () => Seconds(v => v.IoPressure.FullMicros), "s", "Time every task of the cgroup waited on I/O at once (io.pressure full total)");

        // Pids (cAdvisor: container_processes; the limit: pids.max).
        m.CreateObservableGauge("target.container.pids", () => Count(v => v.Pids), null, "Tasks in the cgroup (pids.current)");
        m.CreateObservableGauge("target.container.pids_limit", () => Count(v => v.PidsLimit), null, "pids.max; absent when max");

        // target_restarts_oom_killed_total{target}: beside target_restarts_total, not a label on it (README).
        m.CreateObservableCounter("target.restarts.oom_killed", OomKilledRestarts, null, "Restarts whose previous process was killed by the OOM killer (its cgroup's oom_kill rose in the interval it ended)");
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Target(TargetSnapshot t) => new("target", t.Name);

    private IEnumerable<Measurement<int>> Info()
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Container is { } c)
            {
                yield return new(1, Target(t), new("cgroup", c.Cgroup), new("version", c.Version == 1 ? "1" : "2"), new("route", Procfs.CgroupRouteNames.Label(c.Route)));
            }
        }
    }

    private IEnumerable<Measurement<long>> Bytes(Func<Procfs.CgroupValues, long?> read) => Counter(s => read(s.Values));

    private IEnumerable<Measurement<long>> Count(Func<Procfs.CgroupValues, long?> read) => Counter(s => read(s.Values));

    private IEnumerable<Measurement<long>> Counter(Func<ContainerSample, long?> read)
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Container is { } c && read(c) is { } v)
            {
                yield return new(v, Target(t));
            }
        }
    }

    private IEnumerable<Measurement<double>> Seconds(Func<Procfs.CgroupValues, long?> micros)
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Container is { } c && micros(c.Values) is { } v)
            {
                yield return new(v / 1e6, Target(t));
            }
        }
    }

    private IEnumerable<Measurement<double>> Ratio(Func<ContainerSample, double?> read)
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Container is { } c && read(c) is { } v)
            {
                yield return new(v, Target(t));
            }
        }
    }

    private IEnumerable<Measurement<long>> Events()
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Container is { } c)
            {
                if (c.HighEvents is { } h)
                {
                    yield return new(h, Target(t), High);
                }

                if (c.MaxEvents is { } m)
                {
                    yield return new(m, Target(t), Max);
                }

                if (c.OomEvents is { } o)
                {
                    yield return new(o, Target(t), Oom);
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> OomKilledRestarts()
    {
        foreach (var t in _store.Current.Targets)
        {
            yield return new(t.Oom.KilledRestarts, Target(t));
        }
    }
}
