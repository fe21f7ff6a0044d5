namespace Agent.Runtimes;

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
