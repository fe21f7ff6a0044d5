namespace Agent.Configuration;

/// <summary>The <c>Target</c> section: which process to watch. At most one selector may be set.</summary>
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

    /// <summary>Sum the whole process tree under the target (e.g. gunicorn workers).</summary>
    public bool IncludeChildren { get; set; }

    /// <summary>Pick the single other process of a shared PID namespace.</summary>
    public bool Auto { get; set; }
}
