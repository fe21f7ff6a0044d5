namespace Agent.Runtimes;

/// <summary>
/// One re-exposed family: the instrument name it gets (<c>target_</c> + the scraped name, without
/// the counter's <c>_total</c>, which the exporter adds back), whether it is a counter, the
/// target's own help text, and its points.
/// </summary>
internal sealed record FederatedFamily(string Instrument, bool Counter, string? Help, IReadOnlyList<FederatedPoint> Points);
