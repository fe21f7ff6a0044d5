using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Telemetry;

/// <summary>
/// The target's runtime counters (<c>target_dotnet_*</c>) and <c>target_runtime_connected</c>.
/// Counters are cumulative since the target started; while no session delivers values nothing
/// is reported but <c>target_runtime_connected 0</c>. Federated families are instruments of
/// <see cref="FederationMetrics"/>, created as they appear.
/// </summary>
internal sealed class RuntimeMetrics : IDisposable
{
    public const string MeterName = "Agent.Runtime";

    private static readonly KeyValuePair<string, object?> Dotnet = new("runtime", "dotnet");
    private static readonly KeyValuePair<string, object?> Federated = new("runtime", "federated");

    private readonly Meter _meter;
    private readonly RuntimeStore _store;
    private readonly TargetSnapshotStore _targets;

    public RuntimeMetrics(IMeterFactory meterFactory, RuntimeStore store, TargetSnapshotStore targets, RuntimeSettings settings)
    {
        _store = store;
        _targets = targets;
        _meter = meterFactory.Create(MeterName, typeof(RuntimeMetrics).Assembly.GetName().Version?.ToString(3));
        var m = _meter;
        var dotnetOn = settings.Dotnet.Enabled;
        var federationOn = settings.MetricsUrl is not null;

        // target_runtime_connected{runtime="dotnet|federated"}
        m.CreateObservableGauge("target.runtime.connected", () => Connected(dotnetOn, federationOn), null, "1 while the agent receives the target's runtime counters over that channel");

        m.CreateObservableCounter("target.dotnet.gc.collections", Collections, null, "Garbage collections since the target started, by generation");
        m.CreateObservableGauge("target.dotnet.gc.heap_size", () => Value(s => s.HeapSizeBytes), "By", "GC heap size (incl. fragmentation) at the last collection, all generations");
        m.CreateObservableGauge("target.dotnet.gc.pause_ratio", () => Value(s => s.PauseRatio), null, "Fraction (0-1) of wall time the runtime was paused for GC over the last interval");
        m.CreateObservableCounter("target.dotnet.gc.allocated", () => Value(s => s.AllocatedBytes), "By", "Bytes allocated on the GC heap since the target started");
        m.CreateObservableGauge("target.dotnet.threadpool.threads", () => Value(s => s.ThreadPoolThreads), null, "Thread pool threads");
        m.CreateObservableGauge("target.dotnet.threadpool.queue_length", () => Value(s => s.ThreadPoolQueueLength), null, "Work items queued to the thread pool");
        m.CreateObservableCounter("target.dotnet.threadpool.completed_items", () => Value(s => s.ThreadPoolCompletedItems), null, "Thread pool work items completed since the target started");
        m.CreateObservableCounter("target.dotnet.exceptions", () => Value(s => s.Exceptions), null, "Exceptions thrown (counted from when the agent attached: the runtime publishes no total)");
        m.CreateObservableCounter("target.dotnet.lock_contentions", () => Value(s => s.LockContentions), null, "Monitor lock contentions since the target started");
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>
    /// Runtime counters follow the primary target (<c>app</c>, else the first by name): the
    /// .NET session attaches to it and <c>Runtime:MetricsUrl</c> is its endpoint.
    /// </summary>
    private KeyValuePair<string, object?> Target() => new("target", _targets.Current.Primary?.Name ?? TargetNames.Default);

    private IEnumerable<Measurement<int>> Connected(bool dotnetOn, bool federationOn)
    {
        if (dotnetOn)
        {
            yield return new Measurement<int>(_store.Dotnet is not null ? 1 : 0, Target(), Dotnet);
        }

        if (federationOn)
        {
            yield return new Measurement<int>(_store.Federated.Connected ? 1 : 0, Target(), Federated);
        }
    }

    private IEnumerable<Measurement<double>> Collections()
    {
        if (_store.Dotnet is not { } s)
        {
            yield break;
        }

        foreach (var (generation, count) in s.GcCollections)
        {
            yield return new Measurement<double>(count, Target(), new KeyValuePair<string, object?>("generation", generation));
        }
    }

    private IEnumerable<Measurement<double>> Value(Func<DotnetRuntimeSnapshot, double?> read)
    {
        if (_store.Dotnet is { } s && read(s) is { } v)
        {
            yield return new Measurement<double>(v, Target());
        }
    }
}
