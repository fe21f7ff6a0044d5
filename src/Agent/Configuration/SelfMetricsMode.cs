namespace Agent.Configuration;

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
