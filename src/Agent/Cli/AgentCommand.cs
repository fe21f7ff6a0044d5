namespace Agent.Cli;

/// <summary>What one invocation of the binary does.</summary>
internal enum AgentCommand
{
    /// <summary>Start the agent (the default).</summary>
    Run,

    /// <summary>Print usage and exit.</summary>
    Help,

    /// <summary>Print the version and exit.</summary>
    Version,

    /// <summary>Preflight: validate the configuration, look once at target, probes and listen address, report, exit.</summary>
    Check,

    /// <summary>Print the Python hook (or write it and its sitecustomize.py into a directory) and exit.</summary>
    PythonHook,
}
