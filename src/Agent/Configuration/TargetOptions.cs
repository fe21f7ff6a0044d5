namespace Agent.Configuration;

/// <summary>
/// The <c>Target</c> section: the single-target keys (one target named <c>app</c>) and Auto. At
/// most one selector may be set; more targets go under <c>Targets:&lt;name&gt;</c>.
/// </summary>
internal sealed class TargetOptions
{
    public const string Section = "Target";

    /// <summary>A fixed pid.</summary>
    public int? Pid { get; set; }

    /// <summary>A file holding the pid, re-read whenever the target is lost.</summary>
    public string? PidFile { get; set; }

    /// <summary>The kernel's comm (first 15 bytes) or the executable's file name.</summary>
    public string? ProcessName { get; set; }

    /// <summary>A .NET regular expression over the command line, arguments joined by spaces.</summary>
    public string? CommandLinePattern { get; set; }

    /// <summary>The process holding a TCP socket listening on this port (v4 or v6).</summary>
    public int? Port { get; set; }

    /// <summary>Sum the whole process tree under the target (e.g. gunicorn workers).</summary>
    public bool IncludeChildren { get; set; }

    /// <summary>Watch every top-level process of a shared PID namespace, each a target named after its comm.</summary>
    public bool Auto { get; set; }

    /// <summary>More process names (comma-separated) that Auto watches as optional proxies, beside the known mesh proxies.</summary>
    public string? AutoProxies { get; set; }
}
