using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Runtimes;
using Agent.Runtimes.Python;
using Agent.Sampling;

namespace Agent.Telemetry;

/// <summary>
/// The targets' runtime counters (<c>target_dotnet_*</c>) and <c>target_runtime_connected</c>, each
/// series labelled with the target it describes. Counters are cumulative since that target started;
/// while no session of a target delivers values nothing is reported for it but
/// <c>target_runtime_connected{runtime="dotnet"} 0</c>. "Delivers" is judged by the last value's age
/// (<see cref="MetricsSession.Flowing"/>), not by an open session: a session the runtime refused
/// stays open and silent. Federated families are instruments of
/// <see cref="FederationMetrics"/>, created as they appear — except the three
/// <c>target_python_gc_*</c> counters of prometheus_client (<see cref="PythonGcFamilies"/>), which
/// are instruments here: a target's values come from its Python hook while the hook answers, else
/// from its federated endpoint, so each series has one source and keeps its name and labels
/// when the hook appears or goes.
/// </summary>
internal sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "Agent.Runtime";

    private static readonly KeyValuePair<string, object?> Dotnet = new("runtime", "dotnet");
    private static readonly KeyValuePair<string, object?> Federated = new("runtime", "federated");
    private static readonly KeyValuePair<string, object?> Python = new("runtime", "python");

    /// <summary>prometheus_client's gc families as federation names them (without <c>_total</c>): exported here, never by <see cref="FederationMetrics"/>.</summary>
    public static readonly IReadOnlySet<string> PythonGcFamilies = new HashSet<string>(StringComparer.Ordinal)
    {
        "target_python_gc_objects_collected", "target_python_gc_objects_uncollectable", "target_python_gc_collections",
    };

    private readonly Meter _meter;
    private readonly RuntimeStore _store;
    private readonly TargetSnapshotStore _targets;
    private readonly RuntimeSettings _settings;
    private readonly IReadOnlyList<FederationEndpoint> _federation;
    private readonly PythonGcStore _python;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;

    public RuntimeMetrics(IMeterFactory meterFactory, RuntimeStore store, TargetSnapshotStore targets, RuntimeSettings settings, IReadOnlyList<FederationEndpoint> federation, PythonGcStore python, TimeProvider time, SamplingOptions sampling)
    {
        _python = python;
        _time = time;
        _interval = sampling.Interval;
        _store = store;
        _targets = targets;
        _settings = settings;
        _federation = federation;
        _meter = meterFactory.Create(MeterName, typeof(RuntimeMetrics).Assembly.GetName().Version?.ToString(3));
        var m = _meter;

        // target_runtime_connected{target, runtime="dotnet|federated|python"}
        m.CreateObservableGauge("target.runtime.connected", Connected, null, "1 while the agent receives the target's runtime counters over that channel");

        m.CreateObservableCounter("target.dotnet.gc.collections", Collections, null, "Garbage collections since the target started, by generation");
        m.CreateObservableGauge("target.dotnet.gc.heap_size", () => Value(s => s.HeapSizeBytes), "By", "GC heap size (incl. fragmentation) at the last collection, all generations");
        m.CreateObservableGauge("target.dotnet.gc.pause_ratio", () => Value(s => s.PauseRatio), null, "Fraction (0-1) of wall time the runtime was paused for GC over the last interval");
        m.CreateObservableCounter("target.dotnet.gc.allocated", () => Value(s => s.AllocatedBytes), "By", "Bytes allocated on the GC heap since the target started");
        m.CreateObservableGauge("target.dotnet.threadpool.threads", () => Value(s => s.ThreadPoolThreads), null, "Thread pool threads");
        m.CreateObservableGauge("target.dotnet.threadpool.queue_length", () => Value(s => s.ThreadPoolQueueLength), null, "Work items queued to the thread pool");
        m.CreateObservableCounter("target.dotnet.threadpool.completed_items", () => Value(s => s.ThreadPoolCompletedItems), null, "Thread pool work items completed since the target started");
        m.CreateObservableCounter("target.dotnet.exceptions", () => Value(s => s.Exceptions), null, "Exceptions thrown (counted from when the agent attached: the runtime publishes no total)");
        m.CreateObservableCounter("target.dotnet.lock_contentions", () => Value(s => s.LockContentions), null, "Monitor lock contentions since the target started");

        // The Python hook's gc answer, with prometheus_client's names and meanings (generation "0", "1", "2").
        m.CreateObservableCounter("target.python.gc.objects.collected", () => PythonGc("target_python_gc_objects_collected", g => g.Collected), null, "Objects collected during gc");
        m.CreateObservableCounter("target.python.gc.objects.uncollectable", () => PythonGc("target_python_gc_objects_uncollectable", g => g.Uncollectable), null, "Uncollectable objects found during GC");
        m.CreateObservableCounter("target.python.gc.collections", () => PythonGc("target_python_gc_collections", g => g.Collections), null, "Number of times this generation was collected");
        m.CreateObservableGauge("target.python.gc.garbage_objects", () => PythonValue(s => s.Garbage), null, "Objects in gc.garbage (uncollectable objects the collector kept; stays 0 unless gc.DEBUG_SAVEALL or a C type with tp_del)");
        m.CreateObservableGauge("target.python.threads", () => PythonValue(s => s.Threads), null, "The application's Python threads (threading.active_count(), the hook's own not counted)");
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Target(string name) => new("target", name);

    private IEnumerable<Measurement<int>> Connected()
    {
        var snapshot = _targets.Current;
        if (_settings.Dotnet.Enabled)
        {
            // Every target can have a session (listen mode: the primary only); the store holds the delivering ones.
            var dotnet = _store.Dotnet;
            var now = _time.GetUtcNow();
            foreach (var t in DotnetRuntimeService.Followed(snapshot, _settings.Dotnet.DiagnosticPort is not null))
            {
                yield return new Measurement<int>(MetricsSession.Flowing(dotnet.GetValueOrDefault(t.Name), _interval, now) ? 1 : 0, Target(t.Name), Dotnet);
            }
        }

        foreach (var endpoint in _federation)
        {
            yield return new Measurement<int>(_store.FederatedOf(endpoint.Key).Connected ? 1 : 0, Target(endpoint.TargetOf(snapshot)), Federated);
        }

        foreach (var (name, s) in _python.Targets)
        {
            yield return new Measurement<int>(s.Connected ? 1 : 0, Target(name), Python);
        }
    }

    /// <summary>A gc counter per target and generation: from the hook where it answers, else from the target's federated endpoint.</summary>
    private IEnumerable<Measurement<double>> PythonGc(string federatedName, Func<PythonGcGeneration, long> read)
    {
        var hooked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, s) in _python.Targets)
        {
            if (!s.Connected)
            {
                continue;
            }

            hooked.Add(name);
            for (var g = 0; g < s.Generations.Count; g++)
            {
                yield return new Measurement<double>(read(s.Generations[g]), Target(name), new KeyValuePair<string, object?>("generation", g.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        var snapshot = _targets.Current;
        foreach (var endpoint in _federation)
        {
            var target = endpoint.TargetOf(snapshot);
            if (hooked.Contains(target) || !_store.FederatedOf(endpoint.Key).Families.TryGetValue(federatedName, out var family))
            {
                continue;
            }

            foreach (var p in family.Points)
            {
                var labels = new KeyValuePair<string, object?>[p.Labels.Count + 1];
                labels[0] = Target(target);
                for (var i = 0; i < p.Labels.Count; i++)
                {
                    labels[i + 1] = p.Labels[i].Key == "target" ? new("exported_target", p.Labels[i].Value) : p.Labels[i];
                }

                yield return new Measurement<double>(p.Value, labels);
            }
        }
    }

    private IEnumerable<Measurement<long>> PythonValue(Func<PythonGcSnapshot, long> read)
    {
        foreach (var (name, s) in _python.Targets)
        {
            if (s.Connected)
            {
                yield return new Measurement<long>(read(s), Target(name));
            }
        }
    }

    /// <summary>The targets whose counters are flowing: a stale snapshot's series are not reported.</summary>
    private IEnumerable<KeyValuePair<string, DotnetRuntimeSnapshot>> Fresh()
    {
        var now = _time.GetUtcNow();
        return _store.Dotnet.Where(e => MetricsSession.Flowing(e.Value, _interval, now));
    }

    private IEnumerable<Measurement<double>> Collections()
    {
        foreach (var (name, s) in Fresh())
        {
            foreach (var (generation, count) in s.GcCollections)
            {
                yield return new Measurement<double>(count, Target(name), new KeyValuePair<string, object?>("generation", generation));
            }
        }
    }

    private IEnumerable<Measurement<double>> Value(Func<DotnetRuntimeSnapshot, double?> read)
    {
        foreach (var (name, s) in Fresh())
        {
            if (read(s) is { } v)
            {
                yield return new Measurement<double>(v, Target(name));
            }
        }
    }
}
