using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Readiness;

namespace Agent.Endpoints;

/// <summary>/health body.</summary>
internal sealed record HealthResponse(string Status, double LastTickAgeSeconds, string? Reason, bool TargetUp, int? TargetPid);

/// <summary>
/// Source-generated JSON for every body the agent writes: reflection-based serialisation fails
/// under Native AOT (anonymous types give a 500 at run time).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadyResponse))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
