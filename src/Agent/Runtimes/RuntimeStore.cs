namespace Agent.Runtimes;

/// <summary>Latest runtime snapshots; single writer each, lock-free readers.</summary>
internal sealed class RuntimeStore
{
    private FederatedSnapshot _federated = FederatedSnapshot.Disconnected;
    private DotnetRuntimeSnapshot? _dotnet;

    /// <summary>
    /// Raised on the writer's thread after each federated snapshot is published, so that the
    /// instrument registry can add instruments for families it has not seen before any scrape
    /// reads them.
    /// </summary>
    public event Action<FederatedSnapshot>? FederatedPublished;

    public FederatedSnapshot Federated => Volatile.Read(ref _federated);

    /// <summary>Null while no session is delivering counters.</summary>
    public DotnetRuntimeSnapshot? Dotnet => Volatile.Read(ref _dotnet);

    public void Publish(FederatedSnapshot snapshot)
    {
        Volatile.Write(ref _federated, snapshot);
        FederatedPublished?.Invoke(snapshot);
    }

    public void Publish(DotnetRuntimeSnapshot? snapshot) => Volatile.Write(ref _dotnet, snapshot);
}
