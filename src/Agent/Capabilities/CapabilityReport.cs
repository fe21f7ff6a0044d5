namespace Agent.Capabilities;

// The capability report as CapabilityJsonContext writes it (agent check, /diag/capabilities).

/// <summary>
/// What the agent can and cannot read of one target process, and as whom it tried: the target's
/// uid, the agent's uid and whether it holds CAP_SYS_PTRACE (null where unknown).
/// </summary>
internal sealed record CapabilityReport(int Pid, int? TargetUid, int? AgentUid, bool? AgentHasSysPtrace, IReadOnlyList<Capability> Items)
{
    public IEnumerable<Capability> Unavailable => Items.Where(i => i.Status == CapabilityStatus.Unavailable);
}

/// <summary>
/// One source of data about a target and whether the agent can use it with its current user and
/// capabilities. <see cref="Fix"/> is set on every <see cref="CapabilityStatus.Unavailable"/> entry:
/// the exact change that makes it work.
/// </summary>
/// <param name="Name">The source: <c>stat</c>, <c>io</c>, <c>fd</c>, <c>smaps_rollup</c>, <c>dotnet_diagnostic_socket</c>, <c>federation_url</c>, <c>python_hook</c>.</param>
/// <param name="Status">Available, unavailable or not applicable.</param>
/// <param name="Detail">What was found, e.g. <c>denied: the target runs as uid 0, the agent as uid 65534 without CAP_SYS_PTRACE</c>.</param>
/// <param name="Fix">What to change; null unless unavailable.</param>
/// <param name="Affects">What the agent loses without it (metric names, features).</param>
/// <param name="OptIn">Unavailable only because the application has not opted in (the Python hook): <c>agent check</c> warns instead of failing.</param>
internal sealed record Capability(string Name, CapabilityStatus Status, string Detail, string? Fix, string Affects, bool? OptIn = null);

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
