using System.Globalization;
using Agent.Traffic;
using Microsoft.Diagnostics.Tracing;

namespace Agent.Runtimes;

/// <summary>
/// Folds the traffic instruments' events of one process's metrics session (<see cref="TrafficInstruments"/>)
/// into a <see cref="TrafficAccumulator"/>, one interval per <c>CollectionStart</c>…<c>CollectionStop</c>
/// of the shared session, and returns a <see cref="TrafficSnapshot"/> at the end of each. Histograms
/// arrive as <c>HistogramValuePublished</c> (.NET 8+: the interval's count and sum, and its 0.5, 0.95
/// and 0.99 quantiles); counts and sums accumulate into monotonic totals. Kept across the sessions of
/// one process (a refused session, then a new one, adds to the same totals). Only the reader thread
/// of the current session calls it.
/// </summary>
internal sealed class DotnetTrafficReader(int pid, int maxSeries, TimeProvider time)
{
    private const int MaxLabelLength = 256;

    private readonly TrafficAccumulator _accumulator = new(maxSeries);
    private readonly SortedSet<string> _meters = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _labels = [];
    private string? _limit;
    private bool _told;

    public int Pid => pid;

    /// <summary>True once, the first time a label set was refused by the series cap (the caller logs it).</summary>
    public bool OverflowUntold()
    {
        if (_accumulator.Overflowed && !_told)
        {
            _told = true;
            return true;
        }

        return false;
    }

    /// <summary>A limit of the runtime's session that was reached, said once by the caller; null while none.</summary>
    public string? Limit => _limit;

    /// <summary>Applies one event of the session; returns the interval's snapshot when the event ended one.</summary>
    public TrafficSnapshot? Apply(TraceEvent evt) =>
        evt.ProviderGuid == DotnetCounterReader.MetricsProvider ? Apply((int)evt.ID, DotnetCounterReader.Payload(evt)) : null;

    /// <summary>
    /// Applies one MetricsEventSource event by its id and raw payload (<see cref="MetricsEvents"/>: read
    /// by hand, as the counter reader does, so that TraceEvent's dynamic parser and its XML reader stay
    /// out of the binary); returns the interval's snapshot when the event ended one. Events of another
    /// session, of an instrument not in <see cref="TrafficInstruments"/>, or too short are ignored.
    /// </summary>
    public TrafficSnapshot? Apply(int eventId, ReadOnlySpan<byte> payload)
    {
        var fields = new MetricsPayload(payload);
        if (!fields.Next(out var session) || !session.SequenceEqual(MetricsSession.SharedId))
        {
            return null;
        }

        switch (eventId)
        {
            case MetricsEvents.CollectionStart:
                _accumulator.BeginInterval();
                return null;
            case MetricsEvents.CollectionStop:
                // Both times are FILETIMEs (100 ns ticks): only their difference is used.
                var seconds = fields.NextInt64(out var start) && fields.NextInt64(out var end) && end > start ? (end - start) / (double)TimeSpan.TicksPerSecond : 0;
                return _accumulator.End(TrafficSource.Dotnet, pid, time.GetUtcNow(), seconds) with
                {
                    Notes = new TrafficNotes([.. _meters], _limit, 0, null),
                };
            case MetricsEvents.HistogramLimitReached:
                _limit ??= "the runtime's histogram limit of the session (Runtime:Dotnet:MaxHistograms) was reached: series that appeared after it (a new route, status or server) are not measured by the runtime and not counted";
                return null;
            case MetricsEvents.TimeSeriesLimitReached:
                _limit ??= "the runtime's series limit of the session (Runtime:Dotnet:MaxTimeSeries) was reached: series that appeared after it are not measured by the runtime and not counted";
                return null;
            case MetricsEvents.BeginInstrumentReporting or MetricsEvents.HistogramValuePublished or MetricsEvents.GaugeValuePublished
                or MetricsEvents.UpDownCounterRateValuePublished or MetricsEvents.CounterRateValuePublished:
                break;
            default:
                return null;
        }

        if (!fields.Next(out var meter) || !fields.Next(out _) // meterVersion
            || !fields.Next(out var name) || TrafficInstruments.Find(meter, name) is not { } instrument)
        {
            return null;
        }

        if (eventId == MetricsEvents.BeginInstrumentReporting)
        {
            _meters.Add(instrument.Meter);
            return null;
        }

        if (!fields.Next(out _) // unit
            || !fields.Next(out var tags))
        {
            return null;
        }

        switch (eventId)
        {
            case MetricsEvents.HistogramValuePublished:
                // count and sum follow the quantiles from .NET 8 (event version 1); without them nothing can be counted.
                if (!fields.Next(out var quantiles) || !fields.NextInt32(out var count) || !fields.NextDouble(out var sum))
                {
                    return null;
                }

                var (p50, p95, p99) = Quantiles(quantiles);
                _accumulator.AddInterval(instrument.Family, Labels(instrument, tags), count, sum, p50, p95, p99);
                break;
            case MetricsEvents.GaugeValuePublished:
                if (fields.Next(out var last) && DotnetCounterReader.Number(last) is { } gauge)
                {
                    _accumulator.AddGauge(instrument.Family, Labels(instrument, tags), gauge);
                }

                break;
            case MetricsEvents.UpDownCounterRateValuePublished:
                // rate, then value: an up-down counter's current value.
                if (fields.Next(out _) && fields.Next(out var value) && DotnetCounterReader.Number(value) is { } current)
                {
                    _accumulator.AddGauge(instrument.Family, Labels(instrument, tags), current);
                }

                break;
            case MetricsEvents.CounterRateValuePublished:
                // A plain counter publishes the interval's increase as "rate": summed from when the session began.
                if (fields.Next(out var rate) && DotnetCounterReader.Number(rate) is { } delta)
                {
                    _accumulator.AddCount(instrument.Family, Labels(instrument, tags), delta);
                }

                break;
        }

        return null;
    }

    /// <summary>The kept tags of the event's <c>k1=v1,k2=v2</c> (sorted by the runtime; a value may itself hold a comma).</summary>
    private ReadOnlySpan<KeyValuePair<string, string>> Labels(TrafficInstrument instrument, ReadOnlySpan<char> tagText)
    {
        _labels.Clear();
        if (instrument.Tags.Length == 0 || tagText.IsEmpty)
        {
            return [];
        }

        var tags = tagText.ToString();

        string? key = null;
        var value = new System.Text.StringBuilder();
        foreach (var piece in tags.Split(','))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && LooksLikeKey(piece.AsSpan(0, eq)))
            {
                Keep(instrument, key, value);
                key = piece[..eq];
                value.Clear().Append(piece, eq + 1, piece.Length - eq - 1);
            }
            else if (key is not null)
            {
                value.Append(',').Append(piece); // the previous value held a comma
            }
        }

        Keep(instrument, key, value);
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_labels);
    }

    private void Keep(TrafficInstrument instrument, string? key, System.Text.StringBuilder value)
    {
        if (key is null)
        {
            return;
        }

        var i = Array.IndexOf(instrument.Tags, key);
        if (i >= 0 && value.Length > 0)
        {
            _labels.Add(new(instrument.Labels[i], value.Length > MaxLabelLength ? value.ToString(0, MaxLabelLength) : value.ToString()));
        }
    }

    private static bool LooksLikeKey(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>0.5=v;0.95=v;0.99=v</c> (empty when the interval had no observation).</summary>
    private static (double P50, double P95, double P99) Quantiles(ReadOnlySpan<char> text)
    {
        double p50 = double.NaN, p95 = double.NaN, p99 = double.NaN;
        foreach (var range in text.Split(';'))
        {
            var pair = text[range];
            var eq = pair.IndexOf('=');
            if (eq <= 0 || !double.TryParse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                continue;
            }

            switch (pair[..eq])
            {
                case "0.5":
                    p50 = v;
                    break;
                case "0.95":
                    p95 = v;
                    break;
                case "0.99":
                    p99 = v;
                    break;
            }
        }

        return (p50, p95, p99);
    }
}
