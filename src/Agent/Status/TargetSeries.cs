namespace Agent.Status;

/// <summary>
/// A target's points, column by column (index i of every array is one tick). <c>Time</c> is Unix
/// milliseconds; a null is a value that was not readable at that tick. The .NET columns are absent
/// unless the target's runtime counters arrived at least once in the window.
/// </summary>
internal sealed record TargetSeries(
    long[] Time,
    double?[] CpuCores,
    long[] RssBytes,
    long[] Threads,
    long?[] OpenFds,
    long?[]? HeapBytes,
    double?[]? GcPauseRatio);
