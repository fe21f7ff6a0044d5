using System.Text.Json.Serialization;

namespace Agent.Diagnostics;

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
