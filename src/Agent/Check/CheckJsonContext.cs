using System.Text.Json;
using System.Text.Json.Serialization;

namespace Agent.Check;

/// <summary>Source-generated JSON for <c>agent check --output json</c> (Native AOT: no reflection), enums as names.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = true)]
[JsonSerializable(typeof(CheckReport))]
internal sealed partial class CheckJsonContext : JsonSerializerContext;
