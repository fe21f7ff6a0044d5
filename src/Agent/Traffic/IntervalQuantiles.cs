namespace Agent.Traffic;

/// <summary>
/// Quantiles of the values observed in one interval, for sources that send every observation (a
/// StatsD timer per request): a fixed log-scale histogram with 1 % relative error from 1 µs to
/// ~28 h (2 546 buckets, 10 KB), so memory does not grow with the rate. Values outside are clamped
/// into the end buckets. Not thread-safe: its owner locks.
/// </summary>
internal sealed class IntervalQuantiles
{
    private const double Min = 1e-6;
    private static readonly double LogGrowth = Math.Log(1.01);
    private static readonly int Buckets = (int)Math.Ceiling(Math.Log(1e5 / Min) / LogGrowth) + 1;

    private readonly int[] _counts = new int[Buckets];
    private int _total;

    public int Count => _total;

    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        var index = value <= Min ? 0 : Math.Min(Buckets - 1, (int)(Math.Log(value / Min) / LogGrowth));
        _counts[index]++;
        _total++;
    }

    /// <summary>The q-quantile (0–1) of the values added since the last <see cref="Reset"/>: a bucket's midpoint; NaN if none.</summary>
    public double Quantile(double q)
    {
        if (_total == 0)
        {
            return double.NaN;
        }

        // The rank of the value at q, as the runtime's own histogram reads it (rank = floor(q * n), 0-based).
        var rank = Math.Min(_total - 1, (long)(q * _total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen > rank)
            {
                return Min * Math.Exp((i + 0.5) * LogGrowth);
            }
        }

        return double.NaN;
    }

    public void Reset()
    {
        if (_total > 0)
        {
            Array.Clear(_counts);
            _total = 0;
        }
    }
}
