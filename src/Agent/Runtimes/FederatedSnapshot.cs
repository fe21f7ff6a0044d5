namespace Agent.Runtimes;

/// <summary>What the last scrape of the target's own endpoint gave, keyed by instrument name.</summary>
internal sealed record FederatedSnapshot(bool Connected, IReadOnlyDictionary<string, FederatedFamily> Families)
{
    public static FederatedSnapshot Disconnected { get; } = new(false, new Dictionary<string, FederatedFamily>());
}
