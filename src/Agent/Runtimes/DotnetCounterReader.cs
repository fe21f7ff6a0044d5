using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Session;

namespace Agent.Runtimes;

/// <summary>
/// Folds the System.Runtime meter's measurements of one target into <see cref="DotnetRuntimeSnapshot"/>s,
/// from either source: the <c>System.Diagnostics.Metrics</c> events of an EventPipe session
/// (<see cref="Apply(TraceEvent)"/>) or a listener inside the agent when it watches itself
/// (<see cref="Apply(string, string?, double?, double?, DateTime)"/>). Only one thread at a time calls it.
/// Observable counters carry the runtime's absolute totals in <c>value</c> (.NET 8+); a plain
/// counter (exceptions) only carries per-interval deltas (<c>rate</c>), summed here since the session began.
/// </summary>
/// <remarks>
/// The events are read from their raw payload rather than through TraceEvent's dynamic parser: that
/// parser also reads EventSource manifests, which pulls an XML reader (System.Private.Xml, ~0.3 MB of
/// native code) into the binary for events whose layout is fixed (MetricsEventSource, below).
/// </remarks>
internal sealed class DotnetCounterReader(int pid, string sessionId)
{
    /// <summary>The EventSource the runtime publishes meters through.</summary>
    public static readonly Guid MetricsProvider = TraceEventProviders.GetEventSourceGuidFromName("System.Diagnostics.Metrics");

    // MetricsEventSource's event ids; each payload starts with the UTF-16 strings sessionId, meterName,
    // meterVersion, instrumentName, then for values unit, tags, and rate and value (counters) or
    // lastValue (gauges). Later runtimes append fields, never reorder them.
    private const int CounterRateValuePublished = 4;
    private const int GaugeValuePublished = 5;
    private const int BeginInstrumentReporting = 7;
    private const int UpDownCounterRateValuePublished = 16;

    private readonly Dictionary<string, double> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _heapByGeneration = new(StringComparer.Ordinal);
    private double? _allocated, _threads, _queue, _completed, _exceptions, _contentions, _pauseRatio;
    private (double Seconds, DateTime At)? _lastPause;

    public bool HasValues { get; private set; }

    /// <summary>Applies one event of the session; true if it changed the snapshot.</summary>
    public bool Apply(TraceEvent evt) =>
        evt.ProviderGuid == MetricsProvider && Apply((int)evt.ID, Payload(evt), evt.TimeStamp);

    /// <summary>Applies one MetricsEventSource event by its id and raw payload; false if it is not a value of this session's System.Runtime meter or is malformed.</summary>
    public bool Apply(int eventId, ReadOnlySpan<byte> payload, DateTime at)
    {
        if (eventId is not (CounterRateValuePublished or GaugeValuePublished or UpDownCounterRateValuePublished or BeginInstrumentReporting))
        {
            return false;
        }

        var fields = new PayloadStrings(payload);
        if (!fields.Next(out var session) || !session.SequenceEqual(sessionId)
            || !fields.Next(out var meter) || !meter.SequenceEqual("System.Runtime")
            || !fields.Next(out _) // meterVersion
            || !fields.Next(out var instrument))
        {
            return false;
        }

        if (eventId == BeginInstrumentReporting)
        {
            // No value yet: a counter of increases (exceptions) starts at 0 from the attach.
            return Apply(instrument.ToString(), null, null, null, at);
        }

        if (!fields.Next(out _) // unit
            || !fields.Next(out var tags))
        {
            return false;
        }

        double? rate = null, value;
        if (eventId == GaugeValuePublished)
        {
            value = fields.Next(out var last) ? Number(last) : null;
        }
        else
        {
            rate = fields.Next(out var r) ? Number(r) : null;
            value = fields.Next(out var v) ? Number(v) : null;
        }

        return Apply(instrument.ToString(), Tag(tags, "gc.heap.generation"), value, rate, at);
    }

    /// <summary>
    /// Applies one measurement of an instrument of the System.Runtime meter: <paramref name="value"/>
    /// is an observable instrument's absolute value, <paramref name="rate"/> a counter's increase since
    /// the previous one; neither when the instrument starts being reported. True if it changed the snapshot.
    /// </summary>
    public bool Apply(string instrument, string? generation, double? value, double? rate, DateTime at)
    {
        switch (instrument)
        {
            case "dotnet.gc.collections" when generation is not null && value is { } v:
                _collections[generation] = v;
                break;
            case "dotnet.gc.last_collection.heap.size" when generation is not null && value is { } size:
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
                if (_lastPause is { } last && at > last.At)
                {
                    // Fraction of wall time spent paused in GC between two publications.
                    _pauseRatio = Math.Clamp((pause - last.Seconds) / (at - last.At).TotalSeconds, 0, 1);
                }

                _lastPause = (pause, at);
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

    private static unsafe ReadOnlySpan<byte> Payload(TraceEvent evt) => new((void*)evt.DataStart, evt.EventDataLength);

    private static double? Number(ReadOnlySpan<char> s) =>
        s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    /// <summary>Tags arrive as <c>k1=v1,k2=v2</c>.</summary>
    private static string? Tag(ReadOnlySpan<char> tags, string key)
    {
        foreach (var range in tags.Split(','))
        {
            var pair = tags[range].Trim();
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq].Trim().SequenceEqual(key))
            {
                return pair[(eq + 1)..].Trim().ToString();
            }
        }

        return null;
    }

    /// <summary>The NUL-terminated UTF-16 strings an EventSource writes for string arguments, in order.</summary>
    private ref struct PayloadStrings(ReadOnlySpan<byte> payload)
    {
        private ReadOnlySpan<char> _rest = MemoryMarshal.Cast<byte, char>(payload[..(payload.Length & ~1)]);

        public bool Next(out ReadOnlySpan<char> value)
        {
            var end = _rest.IndexOf('\0');
            if (end < 0)
            {
                value = default;
                return false;
            }

            value = _rest[..end];
            _rest = _rest[(end + 1)..];
            return true;
        }
    }
}
