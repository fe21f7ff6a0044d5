using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Readiness;

namespace Agent.Endpoints;

/// <summary>/health body.</summary>
internal sealed record HealthResponse(string Status, double LastTickAgeSeconds, string? Reason, bool TargetUp, int? TargetPid);
