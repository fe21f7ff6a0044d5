namespace Agent.Diagnostics;

/// <summary>Log messages of the diagnostics feature (event ids 1400–1499). Never an artifact's contents.</summary>
internal static partial class DiagnosticsLog
{
    [LoggerMessage(1400, LogLevel.Information, "Capture {Id} ({Kind}) of target {Target} started by {Trigger}")]
    public static partial void CaptureStarted(ILogger logger, string id, string kind, string target, string trigger);

    [LoggerMessage(1401, LogLevel.Information, "Capture {Id} ({Kind}) of target {Target} done: {Bytes} bytes in {Seconds:F2} s")]
    public static partial void CaptureDone(ILogger logger, string id, string kind, string target, long bytes, double seconds);

    [LoggerMessage(1402, LogLevel.Warning, "Capture {Id} ({Kind}) of target {Target} failed: {Error}")]
    public static partial void CaptureFailed(ILogger logger, string id, string kind, string target, string error);

    [LoggerMessage(1403, LogLevel.Information, "Capture of {Kind} for target {Target} refused ({Reason}): {Message}")]
    public static partial void CaptureRefused(ILogger logger, string kind, string target, string reason, string message);

    [LoggerMessage(1404, LogLevel.Warning, "Diagnostics directory {Directory} cannot be used: {Error}; /diag captures will fail")]
    public static partial void DirectoryUnusable(ILogger logger, string directory, string error);
}
