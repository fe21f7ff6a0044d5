using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Session;

namespace Agent.Runtimes;

/// <summary>
/// Folds the System.Runtime meter's measurements of one target into <see cref="DotnetRuntimeSnapshot"/>s,
/// from either source: the <c>System.Diagnostics.Metrics</c> events of an EventPipe session
/// (<see cref="Apply(TraceEvent)"/>), where it also notices when the runtime refuses the session, or a
/// listener inside the agent when it watches itself (<see cref="Apply(string, string?, double?, double?, DateTime)"/>).
/// Only one thread at a time calls it. Observable counters carry the runtime's absolute totals in
/// <c>value</c> (.NET 8+); a plain counter (exceptions) only carries per-interval deltas (<c>rate</c>),
/// summed here since the session began.
/// </summary>
/// <remarks>
/// The runtime's metrics source serves one configuration at a time. The agent asks for the
/// <em>shared</em> session (<see cref="MetricsSession"/>): a tool that asks for it with the same
/// interval and limits (dotnet-counters' defaults at a 1 s interval) shares it, and the values of
/// every sharer arrive tagged <c>SHARED</c>. Anything else is refused with an error event, which is
/// the only sign of it: the session itself stays open and silent.
/// The events are read from their raw payload rather than through TraceEvent's dynamic parser: that
/// parser also reads EventSource manifests, which pulls an XML reader (System.Private.Xml, ~0.3 MB of
/// native code) into the binary for events whose layout is fixed (MetricsEventSource, below).
/// </remarks>
internal sealed class DotnetCounterReader(int pid, string clientId, TimeProvider time)
{
    /// <summary>The EventSource the runtime publishes meters through.</summary>
    public static readonly Guid MetricsProvider = TraceEventProviders.GetEventSourceGuidFromName(MetricsSession.Provider);

    private readonly Dictionary<string, double> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _heapByGeneration = new(StringComparer.Ordinal);
    private double? _allocated, _threads, _queue, _completed, _exceptions, _contentions, _pauseRatio;
    private (double Seconds, DateTime At)? _lastPause;
    private DateTimeOffset _receivedAt;

    public bool HasValues { get; private set; }

    /// <summary>Why the runtime refused this session (another tool holds the metrics source); null while it has not.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Applies one event of the session; true if it changed the snapshot or refused the session.</summary>
    public bool Apply(TraceEvent evt) =>
        evt.ProviderGuid == MetricsProvider && Apply((int)evt.ID, Payload(evt), evt.TimeStamp);

    /// <summary>
    /// Applies one MetricsEventSource event by its id and raw payload; false if it is neither a value
    /// of the shared session's System.Runtime meter nor a refusal of this session, or is malformed.
    /// </summary>
    public bool Apply(int eventId, ReadOnlySpan<byte> payload, DateTime at)
    {
        var fields = new MetricsPayload(payload);
        switch (eventId)
        {
            case MetricsEvents.MultipleSessionsNotSupportedError:
                return RefusedByAnother(ref fields);
            case MetricsEvents.MultipleSessionsConfiguredIncorrectlyError:
                return RefusedForSettings(ref fields);
            case MetricsEvents.CounterRateValuePublished or MetricsEvents.GaugeValuePublished or MetricsEvents.UpDownCounterRateValuePublished or MetricsEvents.BeginInstrumentReporting:
                break;
            default:
                return false;
        }

        if (!fields.Next(out var session) || !session.SequenceEqual(MetricsSession.SharedId)
            || !fields.Next(out var meter) || !meter.SequenceEqual("System.Runtime")
            || !fields.Next(out _) // meterVersion
            || !fields.Next(out var instrument))
        {
            return false;
        }

        if (eventId == MetricsEvents.BeginInstrumentReporting)
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
        if (eventId == MetricsEvents.GaugeValuePublished)
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
    /// Sent to every listener when a session is refused; only a running session that is not the
    /// shared one can have refused ours (a third tool refused beside a shared session that includes
    /// us names "SHARED").
    /// </summary>
    private bool RefusedByAnother(ref MetricsPayload fields)
    {
        if (!fields.Next(out var running) || running.SequenceEqual(MetricsSession.SharedId))
        {
            return false;
        }

        Refusal = $"another tool holds the runtime's metrics session (session {Short(running)}, not shared: a listener that did not ask for the shared session, e.g. an older dotnet-monitor or an in-process MeterListener over EventPipe); the runtime serves one session at a time";
        return true;
    }

    private bool RefusedForSettings(ref MetricsPayload fields)
    {
        if (!fields.Next(out var client) || !client.SequenceEqual(clientId)
            || !fields.Next(out var expectedHistograms) || !fields.Next(out var actualHistograms)
            || !fields.Next(out var expectedSeries) || !fields.Next(out var actualSeries)
            || !fields.Next(out var expectedInterval) || !fields.Next(out var actualInterval))
        {
            return false;
        }

        Refusal = string.Create(
            CultureInfo.InvariantCulture,
            $"another tool shares the runtime's metrics session with other settings (interval {expectedInterval} s, MaxTimeSeries {expectedSeries}, MaxHistograms {expectedHistograms}; the agent asks for interval {actualInterval} s, MaxTimeSeries {actualSeries}, MaxHistograms {actualHistograms}); the runtime shares one session only between equal settings");
        return true;
    }

    private static string Short(ReadOnlySpan<char> id) => id.Length > 12 ? string.Concat(id[..12], "…") : id.ToString();

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
        _receivedAt = time.GetUtcNow();
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
        _contentions)
    {
        ReceivedAt = _receivedAt,
    };

    internal static unsafe ReadOnlySpan<byte> Payload(TraceEvent evt) => new((void*)evt.DataStart, evt.EventDataLength);

    /// <summary>A finite number written as text by the runtime (invariant culture); null otherwise.</summary>
    internal static double? Number(ReadOnlySpan<char> s) =>
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
}
