namespace Agent.Runtimes;

/// <summary>What the last scrape of the target's own endpoint gave, keyed by instrument name.</summary>
internal sealed record FederatedSnapshot(bool Connected, IReadOnlyDictionary<string, FederatedFamily> Families)
{
    public static FederatedSnapshot Disconnected { get; } = new(false, new Dictionary<string, FederatedFamily>());
}

/// <summary>
/// One re-exposed family: the instrument name it gets (<c>target_</c> + the scraped name, without
/// the counter's <c>_total</c>, which the exporter adds back), whether it is a counter, the
/// target's own help text, and its points.
/// </summary>
internal sealed record FederatedFamily(string Instrument, bool Counter, string? Help, IReadOnlyList<FederatedPoint> Points);

/// <summary>One re-exposed series: labels as scraped, value as scraped.</summary>
internal sealed record FederatedPoint(IReadOnlyList<KeyValuePair<string, object?>> Labels, double Value);
