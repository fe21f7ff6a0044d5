namespace Agent.Capabilities;

/// <summary>Whether the agent can use one source of data about a target.</summary>
internal enum CapabilityStatus
{
    /// <summary>Read (or reached) just now.</summary>
    Available,

    /// <summary>Configured or expected, and the agent cannot read it: the entry says why and how to fix it.</summary>
    Unavailable,

    /// <summary>Not configured, or does not apply to this target (a .NET socket of a Python app).</summary>
    NotApplicable,
}
