using System.Text.Json;
using System.Text.Json.Serialization;

namespace Agent.Triggers;

/// <summary>Source-generated JSON for <c>/diag/triggers</c> (reflection-based serialisation fails under Native AOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TriggerView[]))]
internal sealed partial class TriggerJsonContext : JsonSerializerContext;
