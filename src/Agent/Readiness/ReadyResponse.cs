using System.Text.Json.Serialization;
using Agent.Common;

namespace Agent.Readiness;

// /ready's body and the evaluator's report around it.

/// <summary>
/// /ready body: the shape of AspNetCore.HealthChecks.UI.Client's UIResponseWriter
/// (<c>status</c>, <c>totalDuration</c>, <c>entries{name:{data,description,duration,status,tags}}</c>),
/// each entry adding <c>ageSeconds</c> (how old the cached result is) and <c>reason</c> on failure.
/// </summary>
internal sealed record ReadyResponse(HealthState Status, string TotalDuration, IReadOnlyDictionary<string, ReadyEntry> Entries);

internal sealed record ReadyEntry(
    IReadOnlyDictionary<string, string> Data,
    string? Description,
    string Duration,
    HealthState Status,
    IReadOnlyList<string> Tags,
    [property: JsonPropertyName("ageSeconds")] double? AgeSeconds,
    string? Reason,
    int? ConsecutiveFailures = null);

/// <summary>The status code and body /ready answers with.</summary>
internal sealed record ReadinessReport(int StatusCode, ReadyResponse Body);
