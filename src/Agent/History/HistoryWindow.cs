namespace Agent.History;

/// <summary>
/// How much history is kept and at what resolution: 15 minutes, at most 900 points per series.
/// A series fed faster than one point per second is downsampled into 1 s buckets
/// (<see cref="BucketMs"/>), so its ring never grows past 900 slots whatever the cadence; a slower
/// series keeps every point (<see cref="BucketMs"/> 0), even one that arrives late.
/// </summary>
internal readonly record struct HistoryWindow(int Capacity, long BucketMs)
{
    public static readonly TimeSpan Span = TimeSpan.FromMinutes(15);

    public const int MaxPoints = 900;

    /// <summary>The ring for a series fed every <paramref name="cadence"/>.</summary>
    public static HistoryWindow For(TimeSpan cadence)
    {
        var finest = (long)(Span.TotalMilliseconds / MaxPoints);
        var ms = (long)cadence.TotalMilliseconds;
        if (ms < finest)
        {
            return new HistoryWindow(MaxPoints, finest);
        }

        // One slot more than the window holds, so that a full window is still on the page
        // after the oldest slot was overwritten.
        return new HistoryWindow((int)Math.Min(MaxPoints, Math.Ceiling(Span.TotalMilliseconds / ms) + 1), 0);
    }
}
