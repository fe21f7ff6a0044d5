namespace Agent.Sampling;

/// <summary>The sampling feature's log messages, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class SamplingLog
{
    [LoggerMessage(1, LogLevel.Warning, "No target configured: the agent is watching itself. Point it at your application with Target:ProcessName, Target:CommandLinePattern, Target:PidFile, Target:Pid or Target:Auto=true (environment: Target__ProcessName=myapp).")]
    public static partial void WatchingSelf(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Target {Target} found: pid {Pid} ({Name}) selected by {Selector}")]
    public static partial void TargetFound(ILogger logger, string target, int pid, string name, string selector);

    [LoggerMessage(3, LogLevel.Warning, "Target {Target} lost: pid {Pid} ({Name}) is gone; looking for it again with {Selector}")]
    public static partial void TargetLost(ILogger logger, string target, int pid, string name, string selector);

    [LoggerMessage(4, LogLevel.Warning, "No process for target {Target}: {Problem} (selector {Selector}; {Suppressed} similar messages suppressed)")]
    public static partial void NoTarget(ILogger logger, string target, string problem, string selector, int suppressed);

    [LoggerMessage(5, LogLevel.Warning, "Cannot read {File} of pid {Pid}: the {Metrics} metrics are omitted. Run the agent as the target's user, or grant it CAP_SYS_PTRACE.")]
    public static partial void FileDenied(ILogger logger, string file, int pid, string metrics);

    [LoggerMessage(6, LogLevel.Error, "Sampling tick failed ({Suppressed} similar errors suppressed)")]
    public static partial void TickFailed(ILogger logger, Exception exception, int suppressed);

    [LoggerMessage(7, LogLevel.Information, "Target {Target} restarted: pid {OldPid} replaced by pid {NewPid} ({Restarts} restarts so far)")]
    public static partial void TargetRestarted(ILogger logger, string target, int oldPid, int newPid, long restarts);

    [LoggerMessage(40, LogLevel.Information, "Discovered target {Target}: pid {Pid} ({Comm}), a top-level process of the PID namespace{Optional}")]
    public static partial void TargetDiscovered(ILogger logger, string target, int pid, string comm, string optional);

    [LoggerMessage(41, LogLevel.Information, "Target {Target} continues in pid {Pid} ({Name}): {Reason}; no restart counted (it was pid {OldPid})")]
    public static partial void TargetContinued(ILogger logger, string target, int pid, string name, string reason, int oldPid);

    [LoggerMessage(42, LogLevel.Warning, "Target {Target}: {Count} process trees match {Selector}; following pid {Pid} ({Name}): {Why}; also {Others}")]
    public static partial void OtherMatches(ILogger logger, string target, int count, string selector, int pid, string name, string why, string others);

    [LoggerMessage(43, LogLevel.Warning, "Target {Target}: pid {Pid} is now another process ({NewName}), not {OldName} that Target:Pid named; the target stays down")]
    public static partial void PidReused(ILogger logger, string target, int pid, string newName, string oldName);
}
