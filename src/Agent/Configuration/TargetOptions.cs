namespace Agent.Configuration;

/// <summary>
/// The <c>Target</c> section: the single-target keys (one target named <c>app</c>) and Auto. At
/// most one selector may be set; more targets go under <c>Targets:&lt;name&gt;</c>.
/// </summary>
internal sealed class TargetOptions : TargetSelectorOptions
{
    public const string Section = "Target";

    /// <summary>Watch every top-level process of a shared PID namespace, each a target named after its comm.</summary>
    public bool Auto { get; set; }

    /// <summary>More process names (comma-separated) that Auto watches as optional proxies, beside the known mesh proxies.</summary>
    public string? AutoProxies { get; set; }
}
