namespace Agent.Probes;

/// <summary>Why a probe failed: a closed set, used in /ready bodies and as a metric label.</summary>
internal static class FailureReason
{
    public const string Timeout = "timeout";
    public const string Refused = "refused";
    public const string Dns = "dns";
    public const string Auth = "auth";
    public const string Protocol = "protocol";
    public const string Tls = "tls";
    public const string HttpStatus = "http_status";

    /// <summary>The dependency answered and said it is not serving (gRPC health NOT_SERVING, UNKNOWN).</summary>
    public const string Unhealthy = "unhealthy";
    public const string Error = "error";

    public static readonly string[] All = [Timeout, Refused, Dns, Auth, Protocol, Tls, HttpStatus, Unhealthy, Error];
}
