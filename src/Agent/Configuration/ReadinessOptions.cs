namespace Agent.Configuration;

/// <summary>The <c>Readiness</c> section.</summary>
internal sealed class ReadinessOptions
{
    public const string Section = "Readiness";

    /// <summary>/ready requires the target process to be present.</summary>
    public bool RequireTarget { get; set; } = true;
}
