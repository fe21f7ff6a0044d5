namespace Agent.Configuration;

/// <summary><c>Runtime:Dotnet</c>: EventPipe counters of a .NET target.</summary>
internal sealed class DotnetRuntimeOptions
{
    /// <summary>Attach to .NET targets over the diagnostic IPC (connect mode, by pid).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Listen mode: a socket path the agent listens on; the target sets
    /// <c>DOTNET_DiagnosticPorts=&lt;path&gt;,nosuspend</c>.
    /// </summary>
    public string? DiagnosticPort { get; set; }

    /// <summary>
    /// The runtime's limit on histogram series of the metrics session (every route × method × status
    /// of <c>http.server.request.duration</c> is one); each costs the target ~32 KB per interval.
    /// Every client sharing the session must ask for the same value.
    /// </summary>
    public int MaxHistograms { get; set; } = 200;

    /// <summary>The runtime's limit on all series of the metrics session (the runtime's default, and dotnet-monitor's).</summary>
    public int MaxTimeSeries { get; set; } = 1000;
}
