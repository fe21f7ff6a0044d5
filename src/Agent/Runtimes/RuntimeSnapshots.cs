namespace Agent.Runtimes;

/// <summary>One re-exposed series: labels as scraped, value as scraped.</summary>
internal sealed record FederatedPoint(IReadOnlyList<KeyValuePair<string, object?>> Labels, double Value);

/// <summary>What the last scrape of the target's own endpoint gave, keyed by instrument name.</summary>
internal sealed record FederatedSnapshot(bool Connected, IReadOnlyDictionary<string, IReadOnlyList<FederatedPoint>> Series)
{
    public static FederatedSnapshot Disconnected { get; } = new(false, new Dictionary<string, IReadOnlyList<FederatedPoint>>());
}

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
    double? LockContentions);

/// <summary>Latest runtime snapshots; single writer each, lock-free readers.</summary>
internal sealed class RuntimeStore
{
    private FederatedSnapshot _federated = FederatedSnapshot.Disconnected;
    private DotnetRuntimeSnapshot? _dotnet;

    public FederatedSnapshot Federated => Volatile.Read(ref _federated);

    /// <summary>Null while no session is delivering counters.</summary>
    public DotnetRuntimeSnapshot? Dotnet => Volatile.Read(ref _dotnet);

    public void Publish(FederatedSnapshot snapshot) => Volatile.Write(ref _federated, snapshot);

    public void Publish(DotnetRuntimeSnapshot? snapshot) => Volatile.Write(ref _dotnet, snapshot);
}
