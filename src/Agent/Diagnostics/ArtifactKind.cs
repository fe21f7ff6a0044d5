namespace Agent.Diagnostics;

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
