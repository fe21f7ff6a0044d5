using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Readiness;
using Agent.Status;

namespace Agent.Endpoints;

/// <summary>
/// Source-generated JSON for every body the agent writes: reflection-based serialisation fails
/// under Native AOT (anonymous types give a 500 at run time).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(StatusResponse))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
