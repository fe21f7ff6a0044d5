namespace Agent.Configuration;

/// <summary>One <c>Targets:&lt;name&gt;</c> section: exactly one selector, and how to watch it.</summary>
internal sealed class NamedTargetOptions : TargetSelectorOptions
{
    public const string Section = "Targets";

    /// <summary>Whether <c>/ready</c> fails while this target is absent.</summary>
    public bool Required { get; set; } = true;
}
