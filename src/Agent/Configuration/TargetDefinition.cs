namespace Agent.Configuration;

/// <summary>
/// One configured target: its name (the <c>target</c> label), its parsed selector (none: the agent
/// itself, the default with no configuration), and whether <c>/ready</c> needs it.
/// </summary>
internal sealed record TargetDefinition(string Name, TargetSettings Selector, bool Required)
{
    /// <summary><c>Targets:&lt;name&gt;:MetricsUrl</c>: the target's own endpoint to federate, if any.</summary>
    public Uri? MetricsUrl { get; init; }
}
