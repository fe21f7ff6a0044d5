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
}
