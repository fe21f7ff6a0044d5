namespace Agent.Logging;

/// <summary>Every log message of the agent, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class Log
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

    [LoggerMessage(8, LogLevel.Warning, "Probe {Probe} ({Kind}) failed: {Reason}: {Description} ({Suppressed} similar messages suppressed)")]
    public static partial void ProbeFailed(ILogger logger, string probe, string kind, string reason, string description, int suppressed);

    [LoggerMessage(9, LogLevel.Information, "Probe {Probe} ({Kind}) recovered")]
    public static partial void ProbeRecovered(ILogger logger, string probe, string kind);

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
}
