using Agent.Probes;

namespace Agent.History;

/// <summary>A probe result as history keeps it: healthy, or failed for one of the closed set of reasons.</summary>
internal enum ProbeState : byte
{
    Ok = 0,
    Timeout,
    Refused,
    Dns,
    Auth,
    Protocol,
    HttpStatus,
    Error,
    Stale,
}

internal static class ProbeStates
{
    public static ProbeState FromReason(string? reason) => reason switch
    {
        null => ProbeState.Ok,
        FailureReason.Timeout => ProbeState.Timeout,
        FailureReason.Refused => ProbeState.Refused,
        FailureReason.Dns => ProbeState.Dns,
        FailureReason.Auth => ProbeState.Auth,
        FailureReason.Protocol => ProbeState.Protocol,
        FailureReason.HttpStatus => ProbeState.HttpStatus,
        "stale" => ProbeState.Stale,
        _ => ProbeState.Error,
    };

    /// <summary>The reason label (as /ready and the metrics say it); null when healthy.</summary>
    public static string? Reason(this ProbeState state) => state switch
    {
        ProbeState.Ok => null,
        ProbeState.Timeout => FailureReason.Timeout,
        ProbeState.Refused => FailureReason.Refused,
        ProbeState.Dns => FailureReason.Dns,
        ProbeState.Auth => FailureReason.Auth,
        ProbeState.Protocol => FailureReason.Protocol,
        ProbeState.HttpStatus => FailureReason.HttpStatus,
        ProbeState.Stale => "stale",
        _ => FailureReason.Error,
    };
}
