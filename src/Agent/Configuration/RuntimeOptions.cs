namespace Agent.Configuration;

/// <summary>The <c>Runtime</c> section: counters from inside the target's runtime.</summary>
internal sealed class RuntimeOptions
{
    public const string Section = "Runtime";

    /// <summary>The target's own Prometheus endpoint, e.g. <c>http://127.0.0.1:8000/metrics</c>.</summary>
    public string? MetricsUrl { get; set; }

    /// <summary>Regex over family names to re-expose with a <c>target_</c> prefix.</summary>
    public string MetricsInclude { get; set; } = "^python_";

    /// <summary>Hard deadline of one scrape of <see cref="MetricsUrl"/>.</summary>
    public TimeSpan MetricsTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    public DotnetRuntimeOptions Dotnet { get; set; } = new();
}

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
