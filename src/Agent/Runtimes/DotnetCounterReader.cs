using System.Globalization;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Runtimes;

/// <summary>
/// Folds the <c>System.Diagnostics.Metrics</c> EventPipe events of one session into
/// <see cref="DotnetRuntimeSnapshot"/>s, and notices when the runtime refuses the session. Only the
/// reader thread of that session calls it. Observable counters carry the runtime's absolute totals
/// in <c>value</c> (.NET 8+); a plain counter (exceptions) only carries per-interval deltas, summed
/// here since the session began.
/// </summary>
/// <remarks>
/// The runtime's metrics source serves one configuration at a time. The agent asks for the
/// <em>shared</em> session (<see cref="MetricsSession"/>): a tool that asks for it with the same
/// interval and limits (dotnet-counters' defaults at a 1 s interval) shares it, and the values of
/// every sharer arrive tagged <c>SHARED</c>. Anything else is refused with an error event, which is
/// the only sign of it: the session itself stays open and silent.
/// </remarks>
internal sealed class DotnetCounterReader(int pid, string clientId, TimeProvider time)
{
    private readonly Dictionary<string, double> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _heapByGeneration = new(StringComparer.Ordinal);
    private double? _allocated, _threads, _queue, _completed, _exceptions, _contentions, _pauseRatio;
    private (double Seconds, DateTime At)? _lastPause;
    private DateTimeOffset _receivedAt;

    public bool HasValues { get; private set; }

    /// <summary>Why the runtime refused this session (another tool holds the metrics source); null while it has not.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Applies one event; true if it changed the snapshot or refused the session.</summary>
    public bool Apply(TraceEvent evt)
    {
        if (evt.ProviderName != MetricsSession.Provider)
        {
            return false;
        }

        switch (evt.EventName)
        {
            // Sent to every listener when a session is refused; only a running session that is not
            // the shared one can have refused ours (a third tool refused beside a shared session
            // that includes us names "SHARED").
            case "MultipleSessionsNotSupportedError" when Payload(evt, "runningSessionId") is { } running && running != MetricsSession.SharedId:
                Refusal = $"another tool holds the runtime's metrics session (session {Short(running)}, not shared: a listener that did not ask for the shared session, e.g. an older dotnet-monitor or an in-process MeterListener over EventPipe); the runtime serves one session at a time";
                return true;
            case "MultipleSessionsConfiguredIncorrectlyError" when Payload(evt, "clientId") == clientId:
                Refusal = string.Create(
                    CultureInfo.InvariantCulture,
                    $"another tool shares the runtime's metrics session with other settings (interval {Payload(evt, "expectedRefreshInterval")} s, MaxTimeSeries {Payload(evt, "expectedMaxTimeSeries")}, MaxHistograms {Payload(evt, "expectedMaxHistograms")}; the agent asks for interval {Payload(evt, "actualRefreshInterval")} s, MaxTimeSeries {Payload(evt, "actualMaxTimeSeries")}, MaxHistograms {Payload(evt, "actualMaxHistograms")}); the runtime shares one session only between equal settings");
                return true;
        }

        if (Payload(evt, "sessionId") != MetricsSession.SharedId || Payload(evt, "meterName") != "System.Runtime")
        {
            return false;
        }

        if (!ApplyValue(evt))
        {
            return false;
        }

        HasValues = true;
        _receivedAt = time.GetUtcNow();
        return true;
    }

    private bool ApplyValue(TraceEvent evt)
    {
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

        return true;
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] + "…" : id;

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
        _contentions)
    {
        ReceivedAt = _receivedAt,
    };

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
