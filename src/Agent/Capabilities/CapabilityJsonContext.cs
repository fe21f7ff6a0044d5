using System.Text.Json;
using System.Text.Json.Serialization;

namespace Agent.Capabilities;

/// <summary>
/// Source-generated JSON for the capability report (Native AOT has no reflection-based
/// serialisation), statuses as strings: <c>{"pid":42,...,"items":[{"name":"io","status":"unavailable",...}]}</c>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CapabilityReport))]
internal sealed partial class CapabilityJsonContext : JsonSerializerContext;
