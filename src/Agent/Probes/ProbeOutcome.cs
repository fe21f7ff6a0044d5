namespace Agent.Probes;

/// <summary>Why a probe failed: a closed set, used in /ready bodies and as a metric label.</summary>
internal static class FailureReason
{
    public const string Timeout = "timeout";
    public const string Refused = "refused";
    public const string Dns = "dns";
    public const string Auth = "auth";
    public const string Protocol = "protocol";
    public const string HttpStatus = "http_status";
    public const string Error = "error";

    public static readonly string[] All = [Timeout, Refused, Dns, Auth, Protocol, HttpStatus, Error];
}

/// <summary>What one check found. Descriptions are already sanitised: no secret is ever in them.</summary>
internal sealed record ProbeOutcome(bool Healthy, string? Reason, string Description, IReadOnlyDictionary<string, string>? Data = null)
{
    public static ProbeOutcome Ok(string description, IReadOnlyDictionary<string, string>? data = null) => new(true, null, description, data);

    public static ProbeOutcome Failed(string reason, string description, IReadOnlyDictionary<string, string>? data = null) => new(false, reason, description, data);
}

/// <summary>A probe's latest outcome with its timing: what the cache holds and /ready reads.</summary>
internal sealed record ProbeResult(ProbeDefinition Probe, ProbeOutcome Outcome, TimeSpan Duration, DateTimeOffset CompletedAt);
