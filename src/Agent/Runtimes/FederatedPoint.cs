namespace Agent.Runtimes;

/// <summary>One re-exposed series: labels as scraped, value as scraped.</summary>
internal sealed record FederatedPoint(IReadOnlyList<KeyValuePair<string, object?>> Labels, double Value);
