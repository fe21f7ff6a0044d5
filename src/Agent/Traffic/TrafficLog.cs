namespace Agent.Traffic;

/// <summary>The traffic feature's log messages, source-generated (no boxing, no parsing at run time).</summary>
internal static partial class TrafficLog
{
    [LoggerMessage(3210, LogLevel.Information, "StatsD listener on udp 127.0.0.1:{Port}: start gunicorn with --statsd-host 127.0.0.1:{Port}")]
    public static partial void Listening(ILogger logger, int port);

    [LoggerMessage(3211, LogLevel.Warning, "StatsD listener cannot bind udp 127.0.0.1:{Port}: {Error}. Fix: free the port or set Traffic:StatsdPort to another one; trying again every {Retry}")]
    public static partial void BindFailed(ILogger logger, int port, string error, TimeSpan retry);

    [LoggerMessage(3212, LogLevel.Warning, "Target {Target} sends more StatsD series than Traffic:MaxSeries ({Max}): the rest are counted in one overflow series per family (said once)")]
    public static partial void SeriesCapped(ILogger logger, string target, int max);
}
