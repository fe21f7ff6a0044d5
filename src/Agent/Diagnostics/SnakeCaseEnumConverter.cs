using System.Text.Json;
using System.Text.Json.Serialization;

namespace Agent.Diagnostics;

/// <summary>Enums in /diag JSON as the API spells them: <c>snapshot</c>, <c>anon_inode</c>, <c>time_wait</c>.</summary>
internal sealed class SnakeCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where T : struct, Enum;
