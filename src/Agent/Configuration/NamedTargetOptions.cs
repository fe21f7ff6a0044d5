namespace Agent.Configuration;

/// <summary>One <c>Targets:&lt;name&gt;</c> section: exactly one selector, and how to watch it.</summary>
internal sealed class NamedTargetOptions : TargetSelectorOptions
{
    public const string Section = "Targets";

    /// <summary>Whether <c>/ready</c> fails while this target is absent.</summary>
    public bool Required { get; set; } = true;

    /// <summary>This target's own Prometheus endpoint, federated under its <c>target</c> label (as <c>Runtime:MetricsUrl</c> is the primary target's).</summary>
    public string? MetricsUrl { get; set; }
}
