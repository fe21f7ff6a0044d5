namespace Agent.Runtimes;

/// <summary>The runtimes feature's log messages, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class RuntimesLog
{
    [LoggerMessage(10, LogLevel.Warning, "Scrape of the target's metrics at {Url} failed: {Error}: {Message} ({Suppressed} similar messages suppressed)")]
    public static partial void FederationFailed(ILogger logger, string url, string error, string message, int suppressed);

    [LoggerMessage(11, LogLevel.Information, "Attached to the .NET runtime of pid {Pid} over {Transport}: counters flowing")]
    public static partial void DotnetAttached(ILogger logger, int pid, string transport);

    [LoggerMessage(12, LogLevel.Warning, "Cannot attach to the .NET runtime of pid {Pid}: {Detail}. Fix: {Fix}. (said once per process and cause; error: {Error}; retrying with backoff)")]
    public static partial void DotnetAttachFailed(ILogger logger, int pid, string detail, string fix, string error);

    [LoggerMessage(13, LogLevel.Information, "EventPipe session with pid {Pid} ended")]
    public static partial void DotnetSessionEnded(ILogger logger, int pid);

    [LoggerMessage(14, LogLevel.Information, "No .NET diagnostic socket for pid {Pid}: {Detail}. Fix: {Fix}. Looking again up to every {Backoff} (said once per process)")]
    public static partial void DotnetSocketNotFound(ILogger logger, int pid, string detail, string fix, TimeSpan backoff);

    [LoggerMessage(15, LogLevel.Warning, "The .NET runtime of pid {Pid} sends the agent no counters: {Reason}. Fix: {Fix} (said once per process and reason)")]
    public static partial void DotnetCountersRefused(ILogger logger, int pid, string reason, string fix);

    [LoggerMessage(1500, LogLevel.Information, "Python hook of target {Target} answers (pid {Pid}): target_python_* follow")]
    public static partial void HookAnswered(ILogger logger, string target, int pid);

    [LoggerMessage(1501, LogLevel.Warning, "Python hook of target {Target} (pid {Pid}) did not answer: {Reason} ({Suppressed} similar messages suppressed)")]
    public static partial void HookFailed(ILogger logger, string target, int pid, string reason, int suppressed);

    [LoggerMessage(1502, LogLevel.Warning, "Reading the Python targets' collectors failed ({Suppressed} similar messages suppressed)")]
    public static partial void ReadFailed(ILogger logger, Exception exception, int suppressed);

    [LoggerMessage(3200, LogLevel.Warning, "Target {Target} (pid {Pid}) has more traffic series than Traffic:MaxSeries ({Max}): further route, method, status or server combinations are counted in one overflow series per family (otel_metric_overflow=\"true\"). Raise Traffic:MaxSeries if they are bounded. (said once per process)")]
    public static partial void TrafficSeriesCapped(ILogger logger, string target, int pid, int max);

    [LoggerMessage(3201, LogLevel.Warning, "Target {Target} (pid {Pid}): {Limit}. Raise it (every client sharing the session must ask for the same). (said once per process)")]
    public static partial void TrafficRuntimeLimit(ILogger logger, string target, int pid, string limit);
}
