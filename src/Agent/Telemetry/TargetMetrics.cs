using System.Diagnostics.Metrics;
using Agent.Sampling;

namespace Agent.Telemetry;

/// <summary>
/// The target's process metrics: every instrument in one place, every callback only reading
/// the latest snapshot (no /proc access at scrape time). While no target is present the
/// callbacks report nothing, so no <c>target_process_*</c> series is exported with a stale value.
/// Every series carries <c>target="&lt;name&gt;"</c>, one per target.
/// Prometheus names (after the exporter's unit and <c>_total</c> suffixes) are in the comments
/// and in the README's metrics table.
/// </summary>
internal sealed class TargetMetrics : IDisposable
{
    public const string MeterName = "Agent.Target";

    private static readonly KeyValuePair<string, object?> User = new("mode", "user");
    private static readonly KeyValuePair<string, object?> System = new("mode", "system");
    private static readonly KeyValuePair<string, object?> Voluntary = new("kind", "voluntary");
    private static readonly KeyValuePair<string, object?> Involuntary = new("kind", "involuntary");
    private static readonly KeyValuePair<string, object?> Minor = new("kind", "minor");
    private static readonly KeyValuePair<string, object?> Major = new("kind", "major");

    private readonly Meter _meter;
    private readonly TargetSnapshotStore _store;

    public TargetMetrics(IMeterFactory meterFactory, TargetSnapshotStore store)
    {
        _store = store;
        _meter = meterFactory.Create(MeterName, typeof(TargetMetrics).Assembly.GetName().Version?.ToString(3));
        var m = _meter;

        // target_up{target}
        m.CreateObservableGauge("target.up", Up, null, "1 if the target process is present, else 0");

        // target_process_info{target,pid,name}
        m.CreateObservableGauge("target.process.info", Info, null, "Always 1 while a target is present; labels identify the process");

        // target_restarts_total{target}
        m.CreateObservableCounter("target.restarts", Restarts, null, "New target processes seen after the first (pid or start time changed)");

        // target_process_cpu_seconds_total{mode}
        m.CreateObservableCounter("target.process.cpu", Cpu, "s", "CPU time consumed by the target (/proc/<pid>/stat utime, stime)");

        // target_process_resident_memory_bytes and friends
        m.CreateObservableGauge("target.process.resident_memory", () => Value(s => s.ResidentBytes), "By", "Resident set size (/proc/<pid>/stat rss x page size)");
        m.CreateObservableGauge("target.process.resident_memory_peak", () => Value(s => s.ResidentPeakBytes), "By", "Peak resident set size (/proc/<pid>/status VmHWM)");
        m.CreateObservableGauge("target.process.virtual_memory", () => Value(s => s.VirtualBytes), "By", "Virtual memory size (/proc/<pid>/stat vsize)");
        m.CreateObservableGauge("target.process.swap", () => Value(s => s.SwapBytes), "By", "Swapped-out memory (/proc/<pid>/status VmSwap)");
        m.CreateObservableGauge("target.process.threads", () => Value(s => s.Threads), null, "Threads (/proc/<pid>/stat num_threads)");
        m.CreateObservableGauge("target.process.open_fds", () => Value(s => s.OpenFds), null, "Open file descriptors (entries of /proc/<pid>/fd)");
        m.CreateObservableGauge("target.process.max_fds", () => Value(s => s.MaxFds), null, "Soft limit on open file descriptors (/proc/<pid>/limits)");
        m.CreateObservableGauge("target.process.start_time", () => Value(s => s.StartTimeSeconds), "s", "Start time since the Unix epoch (/proc/<pid>/stat starttime + /proc/stat btime)");
        // Not "target_process_count": Prometheus reserves the _count suffix for histograms and
        // summaries, and promtool's lint rejects it on a gauge.
        m.CreateObservableGauge("target.processes", () => Value(s => (long)s.ProcessCount), null, "Processes summed into the target (1 unless Target:IncludeChildren)");

        // target_process_io_{read,write}_bytes_total
        m.CreateObservableCounter("target.process.io.read", () => Value(s => s.IoReadBytes), "By", "Bytes read from storage (/proc/<pid>/io read_bytes)");
        m.CreateObservableCounter("target.process.io.write", () => Value(s => s.IoWriteBytes), "By", "Bytes written to storage (/proc/<pid>/io write_bytes)");

        // target_process_context_switches_total{kind}, target_process_page_faults_total{kind}
        m.CreateObservableCounter("target.process.context_switches", ContextSwitches, null, "Context switches (/proc/<pid>/status)");
        m.CreateObservableCounter("target.process.page_faults", PageFaults, null, "Page faults (/proc/<pid>/stat minflt, majflt)");
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Target(TargetSnapshot t) => new("target", t.Name);

    private IEnumerable<Measurement<int>> Up()
    {
        foreach (var t in _store.Current.Targets)
        {
            yield return new Measurement<int>(t.Sample is null ? 0 : 1, Target(t));
        }
    }

    private IEnumerable<Measurement<long>> Restarts()
    {
        foreach (var t in _store.Current.Targets)
        {
            yield return new Measurement<long>(t.Restarts, Target(t));
        }
    }

    private IEnumerable<Measurement<long>> Value(Func<TargetSample, long?> read)
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Sample is { } s && read(s) is { } v)
            {
                yield return new Measurement<long>(v, Target(t));
            }
        }
    }

    private IEnumerable<Measurement<double>> Value(Func<TargetSample, double?> read)
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Sample is { } s && read(s) is { } v)
            {
                yield return new Measurement<double>(v, Target(t));
            }
        }
    }

    private IEnumerable<Measurement<int>> Info()
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Sample is { } s)
            {
                yield return new Measurement<int>(1, Target(t), new("pid", s.Identity.Pid.ToString(global::System.Globalization.CultureInfo.InvariantCulture)), new("name", s.Name));
            }
        }
    }

    private IEnumerable<Measurement<double>> Cpu()
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Sample is { } s)
            {
                yield return new(s.CpuUserSeconds, Target(t), User);
                yield return new(s.CpuSystemSeconds, Target(t), System);
            }
        }
    }

    private IEnumerable<Measurement<long>> ContextSwitches()
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Sample is { VoluntaryContextSwitches: { } v, InvoluntaryContextSwitches: { } i })
            {
                yield return new(v, Target(t), Voluntary);
                yield return new(i, Target(t), Involuntary);
            }
        }
    }

    private IEnumerable<Measurement<long>> PageFaults()
    {
        foreach (var t in _store.Current.Targets)
        {
            if (t.Sample is { } s)
            {
                yield return new(s.MinorPageFaults, Target(t), Minor);
                yield return new(s.MajorPageFaults, Target(t), Major);
            }
        }
    }
}
