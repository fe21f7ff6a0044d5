namespace Agent.Runtimes;

/// <summary>
/// The .NET target's runtime counters as last published over EventPipe. Cumulative values are
/// the target's totals since it started (the .NET 9+ System.Runtime meter reports absolute values
/// for observable counters); null where the runtime did not report the counter.
/// </summary>
internal sealed record DotnetRuntimeSnapshot(
    int Pid,
    IReadOnlyDictionary<string, double> GcCollections,
    double? HeapSizeBytes,
    double? PauseRatio,
    double? AllocatedBytes,
    double? ThreadPoolThreads,
    double? ThreadPoolQueueLength,
    double? ThreadPoolCompletedItems,
    double? Exceptions,
    double? LockContentions)
{
    /// <summary>When the last value arrived: <c>target_runtime_connected</c> is 1 only while it is recent.</summary>
    public DateTimeOffset ReceivedAt { get; init; }
}
