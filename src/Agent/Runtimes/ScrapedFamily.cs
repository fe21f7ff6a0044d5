namespace Agent.Runtimes;

/// <summary>One metric family: its declared type and help, and its samples.</summary>
internal sealed record ScrapedFamily(string Name, string Type, string? Help, IReadOnlyList<ScrapedSample> Samples);

/// <summary>One sample of a scraped exposition.</summary>
internal sealed record ScrapedSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value);
