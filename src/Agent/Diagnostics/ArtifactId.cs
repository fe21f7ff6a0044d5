using System.Globalization;
using System.Security.Cryptography;

namespace Agent.Diagnostics;

/// <summary>
/// Artifact ids: <c>20261127-071502-dump-3f9a2c</c>. Sortable by time, safe as a file name and in
/// a URL; a request's id is checked against this shape before it gets near the filesystem.
/// </summary>
internal static class ArtifactId
{
    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    public static string New(DateTimeOffset now, ArtifactKind kind) =>
        string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{ArtifactStore.Name(kind)}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}");

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= 64 } && id.AsSpan().IndexOfAnyExcept(Allowed) < 0 && id[0] != '-';
}
