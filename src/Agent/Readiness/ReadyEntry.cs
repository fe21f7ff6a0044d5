using System.Text.Json.Serialization;

namespace Agent.Readiness;

internal sealed record ReadyEntry(
    IReadOnlyDictionary<string, string> Data,
    string? Description,
    string Duration,
    string Status,
    IReadOnlyList<string> Tags,
    [property: JsonPropertyName("ageSeconds")] double? AgeSeconds,
    string? Reason);
