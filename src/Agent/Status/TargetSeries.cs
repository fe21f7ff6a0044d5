namespace Agent.Status;

/// <summary>
/// A target's points, column by column (index i of every array is one tick). <c>Time</c> is Unix
/// milliseconds; a null is a value that was not readable at that tick. The .NET columns are absent
/// unless the target's runtime counters arrived at least once in the window; <see cref="Traffic"/> is
/// absent unless the target served HTTP in the window (its own times: it is recorded only then).
/// </summary>
internal sealed record TargetSeries(
    long[] Time,
    double?[] CpuCores,
    long[] RssBytes,
    long[] Threads,
    long?[] OpenFds,
    long?[]? HeapBytes,
    double?[]? GcPauseRatio)
{
    public TrafficColumns? Traffic { get; init; }
}

/// <summary>A target's traffic, column by column: requests per second, share answered 5xx, and the slowest route's p95 and p99 in seconds (null: no request in that interval).</summary>
internal sealed record TrafficColumns(long[] Time, double?[] RequestsPerSecond, double?[] ErrorShare, double?[] P95Seconds, double?[] P99Seconds);
