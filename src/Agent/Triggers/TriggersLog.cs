namespace Agent.Triggers;

/// <summary>The triggers feature's log messages, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class TriggersLog
{
    [LoggerMessage(152, LogLevel.Warning, "{Count} triggers are configured but cannot capture anything: {Reason}")]
    public static partial void CapturesOff(ILogger logger, int count, string reason);

    [LoggerMessage(150, LogLevel.Warning, "Trigger {Trigger} fired: {Condition} (now {Value}) on target {Target}, {Process}; capturing {Actions}")]
    public static partial void Fired(ILogger logger, string trigger, string condition, string value, string target, string process, string actions);

    [LoggerMessage(151, LogLevel.Warning, "Trigger {Trigger}: capture failed: {Reason}; {Failures} failed firings in a row, backing off until {NextPossible:O} ({Suppressed} similar messages suppressed)")]
    public static partial void ActionFailed(ILogger logger, string trigger, string reason, int failures, DateTimeOffset nextPossible, int suppressed);
}
