namespace Agent.Probes;

/// <summary>
/// Why a probe failed: a closed set, the same values from the probe to <c>/ready</c>, the metrics'
/// <c>reason</c> label, the history and the page. Its word is <see cref="FailureReasons.Label"/>.
/// Values start at 1 so that <c>History.ProbeState</c> can keep a failure as the same byte.
/// </summary>
internal enum FailureReason : byte
{
    Timeout = 1,
    Refused,
    Dns,
    Auth,
    Protocol,
    Tls,
    HttpStatus,

    /// <summary>The dependency answered and said it is not serving (gRPC health NOT_SERVING, UNKNOWN).</summary>
    Unhealthy,
    Error,
}

/// <summary>The one label table of <see cref="FailureReason"/>.</summary>
internal static class FailureReasons
{
    /// <summary>
    /// The word for a result too old to count: not a reason a probe gives, but the one /ready, history
    /// and the page show in the reason's place.
    /// </summary>
    public const string Stale = "stale";

    /// <summary>Every reason, in the enum's order.</summary>
    public static readonly FailureReason[] All = Enum.GetValues<FailureReason>();

    /// <summary>The word /ready, the metrics, history and the page use.</summary>
    public static string Label(this FailureReason reason) => reason switch
    {
        FailureReason.Timeout => "timeout",
        FailureReason.Refused => "refused",
        FailureReason.Dns => "dns",
        FailureReason.Auth => "auth",
        FailureReason.Protocol => "protocol",
        FailureReason.Tls => "tls",
        FailureReason.HttpStatus => "http_status",
        FailureReason.Unhealthy => "unhealthy",
        _ => "error",
    };
}
