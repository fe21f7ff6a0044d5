using System.Globalization;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Runtimes;

/// <summary>
/// Folds the <c>System.Diagnostics.Metrics</c> EventPipe events of one session into
/// <see cref="DotnetRuntimeSnapshot"/>s. Only the reader thread of that session calls it.
/// Observable counters carry the runtime's absolute totals in <c>value</c> (.NET 8+); a plain
/// counter (exceptions) only carries per-interval deltas, summed here since the session began.
/// </summary>
internal sealed class DotnetCounterReader(int pid, string sessionId)
{
    private readonly Dictionary<string, double> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _heapByGeneration = new(StringComparer.Ordinal);
    private double? _allocated, _threads, _queue, _completed, _exceptions, _contentions, _pauseRatio;
    private (double Seconds, DateTime At)? _lastPause;

    public bool HasValues { get; private set; }

    /// <summary>Applies one event; true if it changed the snapshot.</summary>
    public bool Apply(TraceEvent evt)
    {
        if (evt.ProviderName != "System.Diagnostics.Metrics" || Payload(evt, "sessionId") != sessionId || Payload(evt, "meterName") != "System.Runtime")
        {
            return false;
        }

        var instrument = Payload(evt, "instrumentName");
        var tags = Payload(evt, "tags") ?? string.Empty;
        // Observable instruments of System.Runtime arrive as CounterRateValuePublished or
        // UpDownCounterRateValuePublished (whichever the runtime version chose) with the absolute
        // value in "value"; gauges as GaugeValuePublished with "lastValue".
        var value = evt.EventName == "GaugeValuePublished" ? Number(evt, "lastValue") : Number(evt, "value");
        var rate = Number(evt, "rate");
        switch (instrument)
        {
            case "dotnet.gc.collections" when Tag(tags, "gc.heap.generation") is { } gen && value is { } v:
                _collections[gen] = v;
                break;
            case "dotnet.gc.last_collection.heap.size" when Tag(tags, "gc.heap.generation") is { } generation && value is { } size:
                _heapByGeneration[generation] = size;
                break;
            case "dotnet.gc.heap.total_allocated":
                _allocated = value ?? _allocated;
                break;
            case "dotnet.thread_pool.work_item.count":
                _completed = value ?? _completed;
                break;
            case "dotnet.thread_pool.thread.count":
                _threads = value ?? _threads;
                break;
            case "dotnet.thread_pool.queue.length":
                _queue = value ?? _queue;
                break;
            case "dotnet.monitor.lock_contentions":
                _contentions = value ?? _contentions;
                break;
            case "dotnet.exceptions":
                _exceptions = (_exceptions ?? 0) + (rate ?? 0);
                break;
            case "dotnet.gc.pause.time" when value is { } pause:
                if (_lastPause is { } last && evt.TimeStamp > last.At)
                {
                    // Fraction of wall time spent paused in GC between two publications.
                    _pauseRatio = Math.Clamp((pause - last.Seconds) / (evt.TimeStamp - last.At).TotalSeconds, 0, 1);
                }

                _lastPause = (pause, evt.TimeStamp);
                break;
            default:
                return false;
        }

        HasValues = true;
        return true;
    }

    public DotnetRuntimeSnapshot Snapshot() => new(
        pid,
        new Dictionary<string, double>(_collections, StringComparer.Ordinal),
        _heapByGeneration.Count > 0 ? _heapByGeneration.Values.Sum() : null,
        _pauseRatio,
        _allocated,
        _threads,
        _queue,
        _completed,
        _exceptions,
        _contentions);

    private static string? Payload(TraceEvent evt, string name) => evt.PayloadByName(name) as string;

    private static double? Number(TraceEvent evt, string name) =>
        Payload(evt, name) is { Length: > 0 } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    /// <summary>Tags arrive as <c>k1=v1,k2=v2</c>.</summary>
    private static string? Tag(string tags, string key)
    {
        foreach (var pair in tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair.AsSpan(0, eq).SequenceEqual(key))
            {
                return pair[(eq + 1)..];
            }
        }

        return null;
    }
}
