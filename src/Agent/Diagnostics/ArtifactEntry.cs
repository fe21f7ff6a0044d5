using System.Text.Json.Serialization;

namespace Agent.Diagnostics;

/// <summary>
/// One artifact as listed by <c>GET /diag/artifacts</c> and answered by every capture POST.
/// Immutable: a capture's progress replaces the entry.
/// </summary>
/// <param name="Trigger">Who asked: <c>manual</c> for an HTTP request, a trigger's name otherwise.</param>
/// <param name="Format">What the file is, so the reader knows what opens it.</param>
/// <param name="Error">Why a failed capture failed (never contents of the target's memory).</param>
internal sealed record ArtifactEntry(
    string Id,
    string Target,
    ArtifactKind Kind,
    string Trigger,
    ArtifactState State,
    long Bytes,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? FinishedUtc,
    string? Error,
    ArtifactFormat Format)
{
    /// <summary>The file inside Diagnostics:Directory; derived from the id, so never taken from a request.</summary>
    [JsonIgnore]
    public string FileName => Id + Format switch
    {
        ArtifactFormat.ElfCore => ".dmp",
        ArtifactFormat.Nettrace => ".nettrace",
        ArtifactFormat.Text => ".txt",
        ArtifactFormat.Pprof => ".pb.gz",
        _ => ".json",
    };

    /// <summary>The media type a download is served with.</summary>
    [JsonIgnore]
    public string ContentType => Format switch
    {
        ArtifactFormat.Json => "application/json",
        ArtifactFormat.Text => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
