namespace Agent.Configuration;

/// <summary>
/// The selector keys and how to watch the selected process, shared by the <c>Target</c> section
/// and every <c>Targets:&lt;name&gt;</c> section (one list, so the two cannot drift apart).
/// </summary>
internal abstract class TargetSelectorOptions
{
    /// <summary>The keys that pick a process: at most one per target.</summary>
    public static readonly string[] Selectors = [nameof(Pid), nameof(PidFile), nameof(ProcessName), nameof(CommandLinePattern), nameof(Port)];

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
}
