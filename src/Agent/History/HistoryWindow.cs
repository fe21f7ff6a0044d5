namespace Agent.History;

/// <summary>
/// How much history is kept and at what resolution: 15 minutes, at most 900 points per series.
/// A series fed faster than one point per second is downsampled into 1 s buckets, so its ring
/// never grows past 900 slots whatever the cadence.
/// </summary>
internal readonly record struct HistoryWindow(int Capacity, long BucketMs)
{
    public static readonly TimeSpan Span = TimeSpan.FromMinutes(15);

    public const int MaxPoints = 900;

    /// <summary>The ring for a series fed every <paramref name="cadence"/>.</summary>
    public static HistoryWindow For(TimeSpan cadence)
    {
        var bucket = Math.Max((long)cadence.TotalMilliseconds, (long)(Span.TotalMilliseconds / MaxPoints));
        // One slot more than the window holds, so that a full window is still on the page
        // after the oldest slot was overwritten.
        var capacity = (int)Math.Min(MaxPoints, Math.Ceiling(Span.TotalMilliseconds / bucket) + 1);
        return new HistoryWindow(capacity, bucket);
    }
}
