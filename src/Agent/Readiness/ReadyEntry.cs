using System.Text.Json.Serialization;
using Agent.Common;

namespace Agent.Readiness;

internal sealed record ReadyEntry(
    IReadOnlyDictionary<string, string> Data,
    string? Description,
    string Duration,
    HealthState Status,
    IReadOnlyList<string> Tags,
    [property: JsonPropertyName("ageSeconds")] double? AgeSeconds,
    string? Reason,
    int? ConsecutiveFailures = null);
