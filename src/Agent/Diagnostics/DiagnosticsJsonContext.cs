using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Diagnostics.Heap;
using Agent.Diagnostics.Snapshot;
using Agent.Procfs;

namespace Agent.Diagnostics;

/// <summary>Refusal body of a capture request.</summary>
internal sealed record CaptureRefusalBody(string Error, string Reason);

/// <summary>
/// Source-generated JSON for /diag bodies and persisted artifact entries. Named floating-point
/// literals are allowed because an unlimited limit is <c>Infinity</c>. Procfs's <see cref="FdKind"/>
/// gets its API spelling (<c>anon_inode</c>) here: the choice is this API's, not the kernel parser's.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, Converters = [typeof(SnakeCaseEnumConverter<FdKind>)], DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ArtifactEntry))]
[JsonSerializable(typeof(IReadOnlyList<ArtifactEntry>))]
[JsonSerializable(typeof(ProcessSnapshot))]
[JsonSerializable(typeof(HeapSummary))]
[JsonSerializable(typeof(CaptureRefusalBody))]
[JsonSerializable(typeof(IReadOnlyList<TargetCapabilities>))]
internal sealed partial class DiagnosticsJsonContext : JsonSerializerContext;
