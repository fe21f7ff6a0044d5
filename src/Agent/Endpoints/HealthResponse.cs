using Agent.Common;

namespace Agent.Endpoints;

/// <summary>/health body.</summary>
internal sealed record HealthResponse(HealthState Status, double LastTickAgeSeconds, string? Reason, bool TargetUp, int? TargetPid);
