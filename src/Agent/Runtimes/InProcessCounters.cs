using System.Diagnostics.Metrics;

namespace Agent.Runtimes;

/// <summary>
/// The agent's own System.Runtime meter, read with a <see cref="MeterListener"/> when the agent is
/// its own target (no configuration: it watches itself). The same instruments an EventPipe session
/// would carry, folded by the same <see cref="DotnetCounterReader"/>; but an EventPipe session on
/// itself costs the agent three threads (the runtime's session writer, the meter's aggregation
/// thread "MetricsEventSou" and the reader blocked on the stream) and the session's buffers —
/// measured in docs/benchmarks.md ("Footprint").
/// </summary>
internal sealed class InProcessCounters : IDisposable
{
    private const string RuntimeMeter = "System.Runtime";

    private readonly MeterListener _listener = new();
    private readonly DotnetCounterReader _reader;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new(); // counters (exceptions) are recorded on the thread that throws
    private bool _changed;

    public InProcessCounters(DotnetCounterReader reader, TimeProvider time)
    {
        _reader = reader;
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RuntimeMeter)
            {
                listener.EnableMeasurementEvents(instrument);
                Started(instrument); // as a session's BeginInstrumentReporting: exceptions count from 0
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, m, tags, _) => Record(i, m, tags));
        _listener.SetMeasurementEventCallback<int>((i, m, tags, _) => Record(i, m, tags));
        _listener.SetMeasurementEventCallback<double>((i, m, tags, _) => Record(i, m, tags));
        _listener.Start();
    }

    /// <summary>Reads every observable instrument once; the snapshot if anything changed since the last call.</summary>
    public DotnetRuntimeSnapshot? Collect()
    {
        _listener.RecordObservableInstruments();
        lock (_lock)
        {
            var changed = _changed;
            _changed = false;
            return changed ? _reader.Snapshot() : null;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Started(Instrument instrument)
    {
        lock (_lock)
        {
            _changed |= _reader.Apply(instrument.Name, null, null, null, _time.GetUtcNow().UtcDateTime);
        }
    }

    private void Record(Instrument instrument, double measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? generation = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "gc.heap.generation")
            {
                generation = tag.Value as string;
            }
        }

        // Observable instruments report totals; a plain counter reports each increase.
        double? value = instrument.IsObservable ? measurement : null;
        double? rate = instrument.IsObservable ? null : measurement;
        lock (_lock)
        {
            _changed |= _reader.Apply(instrument.Name, generation, value, rate, _time.GetUtcNow().UtcDateTime);
        }
    }
}
