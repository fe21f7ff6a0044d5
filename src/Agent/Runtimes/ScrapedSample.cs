namespace Agent.Runtimes;

/// <summary>One sample of a scraped exposition.</summary>
internal sealed record ScrapedSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value);
