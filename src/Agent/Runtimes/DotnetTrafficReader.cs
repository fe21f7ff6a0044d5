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
    public TrafficSnapshot? Apply(TraceEvent evt)
    {
        if (evt.ProviderName != MetricsSession.Provider || evt.PayloadByName("sessionId") as string != MetricsSession.SharedId)
        {
            return null;
        }

        switch (evt.EventName)
        {
            case "Collection/Start" or "CollectionStart":
                _accumulator.BeginInterval();
                return null;
            case "Collection/Stop" or "CollectionStop":
                var seconds = evt.PayloadByName("intervalStartTime") is DateTime start && evt.PayloadByName("intervalEndTime") is DateTime end ? (end - start).TotalSeconds : 0;
                return _accumulator.End(TrafficSource.Dotnet, pid, time.GetUtcNow(), seconds) with
                {
                    Notes = new TrafficNotes([.. _meters], _limit, 0, null),
                };
            case "HistogramLimitReached":
                _limit ??= "the runtime's histogram limit of the session (Runtime:Dotnet:MaxHistograms) was reached: series that appeared after it (a new route, status or server) are not measured by the runtime and not counted";
                return null;
            case "TimeSeriesLimitReached":
                _limit ??= "the runtime's series limit of the session (Runtime:Dotnet:MaxTimeSeries) was reached: series that appeared after it are not measured by the runtime and not counted";
                return null;
        }

        if (evt.PayloadByName("meterName") is not string meter || evt.PayloadByName("instrumentName") is not string name || TrafficInstruments.Find(meter, name) is not { } instrument)
        {
            return null;
        }

        switch (evt.EventName)
        {
            case "BeginInstrumentReporting":
                _meters.Add(meter);
                break;
            case "HistogramValuePublished":
                // count and sum exist from .NET 8 (event version 1); without them nothing can be counted.
                if (evt.PayloadByName("count") is not { } count || evt.PayloadByName("sum") is not { } sum)
                {
                    return null;
                }

                var (p50, p95, p99) = Quantiles(evt.PayloadByName("quantiles") as string);
                _accumulator.AddInterval(instrument.Family, Labels(instrument, evt), Convert.ToInt64(count, CultureInfo.InvariantCulture), Convert.ToDouble(sum, CultureInfo.InvariantCulture), p50, p95, p99);
                break;
            case "UpDownCounterRateValuePublished" or "GaugeValuePublished":
                if (Number(evt, evt.EventName == "GaugeValuePublished" ? "lastValue" : "value") is { } value)
                {
                    _accumulator.AddGauge(instrument.Family, Labels(instrument, evt), value);
                }

                break;
            case "CounterRateValuePublished":
                // A plain counter publishes the interval's increase as "rate": summed from when the session began.
                if (Number(evt, "rate") is { } delta)
                {
                    _accumulator.AddCount(instrument.Family, Labels(instrument, evt), delta);
                }

                break;
        }

        return null;
    }

    /// <summary>The kept tags of the event's <c>k1=v1,k2=v2</c> (sorted by the runtime; a value may itself hold a comma).</summary>
    private ReadOnlySpan<KeyValuePair<string, string>> Labels(TrafficInstrument instrument, TraceEvent evt)
    {
        _labels.Clear();
        if (instrument.Tags.Length == 0 || evt.PayloadByName("tags") is not string tags || tags.Length == 0)
        {
            return [];
        }

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
    private static (double P50, double P95, double P99) Quantiles(string? text)
    {
        double p50 = double.NaN, p95 = double.NaN, p99 = double.NaN;
        foreach (var pair in (text ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !double.TryParse(pair.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
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

    private static double? Number(TraceEvent evt, string name) =>
        evt.PayloadByName(name) is string { Length: > 0 } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;
}
