namespace Agent.Probes;

/// <summary>The probes feature's log messages, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class ProbesLog
{
    [LoggerMessage(8, LogLevel.Warning, "Probe {Probe} ({Kind}) failed: {Reason}: {Description} ({Suppressed} similar messages suppressed)")]
    public static partial void ProbeFailed(ILogger logger, string probe, string kind, string reason, string description, int suppressed);

    [LoggerMessage(9, LogLevel.Information, "Probe {Probe} ({Kind}) recovered")]
    public static partial void ProbeRecovered(ILogger logger, string probe, string kind);
}
