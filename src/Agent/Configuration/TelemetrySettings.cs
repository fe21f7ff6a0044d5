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

/// <summary><c>Telemetry:SelfMetrics</c>: how much the agent says about itself on /metrics.</summary>
internal enum SelfMetricsMode
{
    /// <summary>The .NET runtime (<c>dotnet_*</c>) and process (<c>process_*</c>) metrics of the agent.</summary>
    Full,

    /// <summary>Only what tells whether the agent itself is healthy and what it costs: CPU, memory, threads.</summary>
    Minimal,

    /// <summary>None: at fleet scale the target's series are what is paid for.</summary>
    Off,
}
