using Agent.Common;

namespace Agent.Readiness;

/// <summary>
/// /ready body: the shape of AspNetCore.HealthChecks.UI.Client's UIResponseWriter
/// (<c>status</c>, <c>totalDuration</c>, <c>entries{name:{data,description,duration,status,tags}}</c>),
/// each entry adding <c>ageSeconds</c> (how old the cached result is) and <c>reason</c> on failure.
/// </summary>
internal sealed record ReadyResponse(HealthState Status, string TotalDuration, IReadOnlyDictionary<string, ReadyEntry> Entries);
