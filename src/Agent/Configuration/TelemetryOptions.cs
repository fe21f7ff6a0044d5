namespace Agent.Configuration;

/// <summary>The <c>Telemetry</c> section: what the agent exports about itself.</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary><c>full</c> (default), <c>minimal</c> or <c>off</c>: see <see cref="SelfMetricsMode"/>.</summary>
    public string SelfMetrics { get; set; } = "full";
}
