namespace Agent.Profiling;

/// <summary>The profiling feature's log messages, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class ProfilingLog
{
    [LoggerMessage(1600, LogLevel.Warning, "A profiling window of target {Target} failed ({Type}: {Error}); the next one starts at the next interval")]
    public static partial void WindowFailed(ILogger logger, string target, string type, string error);

    [LoggerMessage(1601, LogLevel.Warning, "Pushing a profile to {Url} failed ({Type}: {Error}); the window is dropped, sampling goes on ({Suppressed} similar messages suppressed)")]
    public static partial void PushFailed(ILogger logger, string url, string type, string error, int suppressed);
}
