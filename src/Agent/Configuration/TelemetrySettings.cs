namespace Agent.Configuration;

/// <summary>The parsed <see cref="TelemetryOptions"/>.</summary>
internal sealed record TelemetrySettings(SelfMetricsMode SelfMetrics)
{
    public static TelemetrySettings Parse(TelemetryOptions o) => new(o.SelfMetrics.Trim().ToLowerInvariant() switch
    {
        "full" => SelfMetricsMode.Full,
        "minimal" => SelfMetricsMode.Minimal,
        "off" => SelfMetricsMode.Off,
        _ => throw new ConfigurationException(ConfigKey.Of(TelemetryOptions.Section, nameof(TelemetryOptions.SelfMetrics)), "must be full, minimal or off"),
    });
}
