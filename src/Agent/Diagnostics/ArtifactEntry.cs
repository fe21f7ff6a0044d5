using System.Text.Json.Serialization;

namespace Agent.Diagnostics;

// An artifact's listing entry and the words it is described in.

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

/// <summary>What an artifact holds. Lower-case names are the API's (<c>kind=dump</c>).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<ArtifactKind>))]
internal enum ArtifactKind
{
    /// <summary>A process snapshot (JSON): memory, threads, fds, limits, cgroup. Any runtime.</summary>
    Snapshot,
    /// <summary>A .NET core dump (ELF) written by the target's runtime.</summary>
    Dump,
    /// <summary>A .NET EventPipe trace (.nettrace).</summary>
    Trace,
    /// <summary>Thread stacks: Python faulthandler text; .NET a short sample-profiler trace.</summary>
    Stacks,
    /// <summary>A .NET heap summary (JSON): top types by count and size.</summary>
    Heap,
    /// <summary>A CPU profile (pprof): the kept windows of the last 15 minutes and one recorded now, merged.</summary>
    Profile,
}

/// <summary>The file format of an artifact: what opens it.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<ArtifactFormat>))]
internal enum ArtifactFormat
{
    /// <summary>JSON (snapshot, heap summary).</summary>
    Json,
    /// <summary>An ELF core dump: dotnet-dump analyze, lldb with SOS, ClrMD.</summary>
    ElfCore,
    /// <summary>An EventPipe trace: PerfView, dotnet-trace convert (speedscope, chromium), TraceEvent.</summary>
    Nettrace,
    /// <summary>Plain text (Python faulthandler tracebacks).</summary>
    Text,
    /// <summary>A gzipped pprof profile.proto: go tool pprof, speedscope, Pyroscope, Parca.</summary>
    Pprof,
}

/// <summary>Where a capture is.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<ArtifactState>))]
internal enum ArtifactState
{
    Running,
    Done,
    Failed,

    /// <summary>Done, but its file is gone from the directory (deleted outside the agent): nothing to download.</summary>
    Missing,
}
