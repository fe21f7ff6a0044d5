namespace Agent.Containers;

/// <summary>The containers feature's log messages, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class ContainersLog
{
    [LoggerMessage(260, LogLevel.Information, "Target {Target}: cgroup {Cgroup} (v{Version}) found through {Route}; OOM kills {Watch}")]
    public static partial void CgroupFound(ILogger logger, string target, string cgroup, int version, string route, string watch);

    [LoggerMessage(261, LogLevel.Warning, "Target {Target}: no cgroup metrics: {Problem}")]
    public static partial void CgroupNotFound(ILogger logger, string target, string problem);

    [LoggerMessage(262, LogLevel.Warning, "Target {Target}: cgroup controller not reachable, its metrics are omitted: {Problem}")]
    public static partial void ControllerNotReachable(ILogger logger, string target, string problem);

    [LoggerMessage(263, LogLevel.Warning, "Target {Target}: {File} is missing or unreadable in {Directory} (no such controller or an older kernel): {Affects} omitted, not reported as 0")]
    public static partial void FileMissing(ILogger logger, string target, string file, string directory, string affects);

    [LoggerMessage(264, LogLevel.Error, "Target {Target}: {Detail}")]
    public static partial void TargetOomKilled(ILogger logger, string target, string detail);

    [LoggerMessage(265, LogLevel.Warning, "Target {Target}: {Detail}")]
    public static partial void ProcessOomKilled(ILogger logger, string target, string detail);
}
