using System.Globalization;
using System.Text;

namespace Agent.Traffic;

/// <summary>
/// Folds one target's traffic measurements into series, interval by interval, under a cap on the
/// number of series: the first <c>maxSeries</c> label sets get a series each; a later one is folded
/// into its family's overflow series (<c>otel_metric_overflow="true"</c>), so every request is still
/// counted, and <see cref="Overflowed"/> turns true once (the caller logs it once).
/// Summaries come either as the runtime's per-interval statistics (<see cref="AddInterval"/>: count,
/// sum, quantiles; several runtime series folding into one add their counts and sums and keep the
/// largest quantile, an upper bound) or as single observations (<see cref="Observe"/>, quantiles of
/// the interval computed here). Single writer, or the owner locks: not thread-safe.
/// </summary>
internal sealed class TrafficAccumulator(int maxSeries)
{
    private readonly Dictionary<string, Entry> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<TrafficFamily, Entry> _overflow = [];
    private readonly StringBuilder _key = new();
    private double _requests;
    private double _errors;
    private double _intervalRequests;
    private double _intervalErrors;
    private long _refused;

    /// <summary>True once a label set was refused by the cap.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Series held, the overflow series not included (at most the cap).</summary>
    public int SeriesCount => _series.Count;

    /// <summary>Starts an interval: quantiles and folded gauge sums start afresh.</summary>
    public void BeginInterval()
    {
        _intervalRequests = _intervalErrors = 0;
        foreach (var e in _series.Values)
        {
            e.Begin();
        }

        foreach (var e in _overflow.Values)
        {
            e.Begin();
        }
    }

    /// <summary>One runtime series' statistics of this interval (a count and sum of its own, and its quantiles).</summary>
    public void AddInterval(TrafficFamily family, ReadOnlySpan<KeyValuePair<string, string>> labels, long count, double sum, double p50, double p95, double p99)
    {
        if (count <= 0)
        {
            return;
        }

        var e = Find(family, labels);
        e.Count += count;
        e.Sum += sum;
        e.IntervalCount += count;
        e.P50 = Max(e.P50, p50);
        e.P95 = Max(e.P95, p95);
        e.P99 = Max(e.P99, p99);
        if (family == TrafficFamily.ServerDuration)
        {
            CountRequests(labels, count);
        }
    }

    /// <summary>One observation (a StatsD timer), in the family's unit (seconds).</summary>
    public void Observe(TrafficFamily family, ReadOnlySpan<KeyValuePair<string, string>> labels, double value)
    {
        var e = Find(family, labels);
        e.Count++;
        e.Sum += value;
        e.IntervalCount++;
        (e.Observations ??= new IntervalQuantiles()).Add(value);
    }

    /// <summary>Adds to a counter; server requests by status also feed the interval's rate and error share.</summary>
    public void AddCount(TrafficFamily family, ReadOnlySpan<KeyValuePair<string, string>> labels, double delta)
    {
        if (!(delta > 0) || !double.IsFinite(delta))
        {
            return;
        }

        if (family == TrafficFamily.ServerRequests)
        {
            CountRequests(labels, delta);
            return;
        }

        var e = Find(family, labels);
        e.Value += delta;
        e.IntervalCount += (long)delta;
    }

    /// <summary>Adds to a gauge for this interval: several runtime series folding into one are summed.</summary>
    public void AddGauge(TrafficFamily family, ReadOnlySpan<KeyValuePair<string, string>> labels, double value)
    {
        var e = Find(family, labels);
        e.Value = e.Held ? value : e.Value + value;
        e.Held = false;
    }

    /// <summary>Sets a gauge that keeps its value until set again (a StatsD gauge is sent only when it changes).</summary>
    public void SetGauge(TrafficFamily family, ReadOnlySpan<KeyValuePair<string, string>> labels, double value)
    {
        var e = Find(family, labels);
        e.Value = value;
        e.Held = true;
    }

    /// <summary>Ends the interval: every series as it stands, and the server side of the interval.</summary>
    public TrafficSnapshot End(TrafficSource source, int? pid, DateTimeOffset at, double seconds)
    {
        var series = new List<TrafficSeries>(_series.Count + _overflow.Count);
        double p95 = double.NaN, p99 = double.NaN;
        foreach (var e in _series.Values.Concat(_overflow.Values))
        {
            if (e.Observations is { Count: > 0 } o)
            {
                e.P50 = o.Quantile(0.5);
                e.P95 = o.Quantile(0.95);
                e.P99 = o.Quantile(0.99);
                o.Reset();
            }

            if (e.Family == TrafficFamily.ServerDuration && e.IntervalCount > 0)
            {
                p95 = Max(p95, e.P95);
                p99 = Max(p99, e.P99);
            }

            var kind = TrafficFamilies.KindOf(e.Family);
            series.Add(new TrafficSeries(e.Family, e.Labels, e.Count, e.Sum, kind == TrafficKind.Summary && e.IntervalCount > 0 ? e.P50 : double.NaN, kind == TrafficKind.Summary && e.IntervalCount > 0 ? e.P95 : double.NaN, kind == TrafficKind.Summary && e.IntervalCount > 0 ? e.P99 : double.NaN, e.Value));
        }

        var last = seconds > 0
            ? new TrafficInterval(seconds, _intervalRequests / seconds, _intervalRequests > 0 ? _intervalErrors / _intervalRequests : double.NaN, p95, p99)
            : TrafficInterval.None;
        return new TrafficSnapshot(source, pid, at, series, last, _requests, _errors, _refused);
    }

    private void CountRequests(ReadOnlySpan<KeyValuePair<string, string>> labels, double n)
    {
        // Requests by status only: the status is the one label of ServerRequests. Errors are judged
        // by the measurement's own status, so those folded into the overflow series still count.
        KeyValuePair<string, string>[] status = [];
        var error = false;
        foreach (var l in labels)
        {
            if (l.Key == TrafficFamilies.StatusLabel)
            {
                status = [l];
                error = IsServerError(l.Value);
                break;
            }
        }

        var e = Find(TrafficFamily.ServerRequests, status);
        e.Value += n;
        e.IntervalCount += (long)n;
        _requests += n;
        _intervalRequests += n;
        if (error)
        {
            _errors += n;
            _intervalErrors += n;
        }
    }

    /// <summary>A 5xx status code.</summary>
    public static bool IsServerError(string status) =>
        int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 500 and <= 599;

    private Entry Find(TrafficFamily family, ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        _key.Clear().Append((int)family);
        foreach (var l in labels)
        {
            _key.Append('\u001f').Append(l.Key).Append('=').Append(l.Value);
        }

        var key = _key.ToString();
        if (_series.TryGetValue(key, out var e))
        {
            return e;
        }

        if (_series.Count >= maxSeries)
        {
            Overflowed = true;
            _refused++;
            if (!_overflow.TryGetValue(family, out var overflow))
            {
                overflow = new Entry(family, [new(TrafficFamilies.OverflowLabel, "true")]);
                _overflow[family] = overflow;
            }

            return overflow;
        }

        var sorted = labels.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        e = new Entry(family, sorted);
        _series[key] = e;
        return e;
    }

    private static double Max(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);

    private sealed class Entry(TrafficFamily family, KeyValuePair<string, string>[] labels)
    {
        public TrafficFamily Family { get; } = family;

        public KeyValuePair<string, string>[] Labels { get; } = labels;

        public double Count { get; set; }

        public double Sum { get; set; }

        public double Value { get; set; }

        public bool Held { get; set; }

        public long IntervalCount { get; set; }

        public double P50 { get; set; } = double.NaN;

        public double P95 { get; set; } = double.NaN;

        public double P99 { get; set; } = double.NaN;

        public IntervalQuantiles? Observations { get; set; }

        public void Begin()
        {
            IntervalCount = 0;
            P50 = P95 = P99 = double.NaN;
            if (!Held && TrafficFamilies.KindOf(Family) == TrafficKind.Gauge)
            {
                Value = 0;
            }
        }
    }
}
