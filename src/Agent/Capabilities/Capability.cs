namespace Agent.Capabilities;

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
