using Agent.Probes;

namespace Agent.History;

/// <summary>
/// A probe result as history keeps it (one byte per point): healthy, failed for a
/// <see cref="FailureReason"/> (the same value), or stale. A TLS failure was once kept as
/// <c>error</c> when this enum had its own copy of the reasons; now there is one list.
/// </summary>
internal enum ProbeState : byte
{
    Ok = 0,

    // 1..N: a FailureReason, by value.
    Stale = byte.MaxValue,
}

internal static class ProbeStates
{
    /// <summary>The history's word for a point whose probe stopped answering (the page greys it).</summary>
    public const string StaleReason = FailureReasons.Stale;

    public static ProbeState Failed(FailureReason reason) => (ProbeState)reason;

    public static ProbeState Of(ProbeOutcome outcome) => outcome.Healthy ? ProbeState.Ok : Failed(outcome.Reason ?? FailureReason.Error);

    /// <summary>The reason label (as /ready and the metrics say it); null when healthy.</summary>
    public static string? Reason(this ProbeState state) => state switch
    {
        ProbeState.Ok => null,
        ProbeState.Stale => StaleReason,
        _ => ((FailureReason)state).Label(),
    };
}
