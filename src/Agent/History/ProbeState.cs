using Agent.Probes;

namespace Agent.History;

/// <summary>
/// A probe result as history keeps it (one byte per point): healthy, failed for one of
/// <see cref="FailureReason.All"/>, or stale. The failure members are <see cref="FailureReason.All"/>
/// in its order, so <see cref="ProbeStates"/> maps them by position and a reason added there cannot be
/// missed here (a TLS failure was once kept as <c>error</c>: this enum had its own copy of the list).
/// </summary>
internal enum ProbeState : byte
{
    Ok = 0,
    Timeout,
    Refused,
    Dns,
    Auth,
    Protocol,
    Tls,
    HttpStatus,
    Unhealthy,
    Error,
    Stale,
}

internal static class ProbeStates
{
    /// <summary>The history's word for a point whose probe stopped answering (the page greys it).</summary>
    public const string StaleReason = "stale";

    public static ProbeState FromReason(string? reason)
    {
        if (reason is null)
        {
            return ProbeState.Ok;
        }

        if (reason == StaleReason)
        {
            return ProbeState.Stale;
        }

        var index = Array.IndexOf(FailureReason.All, reason);
        return index < 0 ? ProbeState.Error : (ProbeState)(index + 1);
    }

    /// <summary>The reason label (as /ready and the metrics say it); null when healthy.</summary>
    public static string? Reason(this ProbeState state) => state switch
    {
        ProbeState.Ok => null,
        ProbeState.Stale => StaleReason,
        _ when (int)state <= FailureReason.All.Length => FailureReason.All[(int)state - 1],
        _ => FailureReason.Error,
    };
}
