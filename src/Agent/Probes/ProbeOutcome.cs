namespace Agent.Probes;

/// <summary>What one check found. Descriptions are already sanitised: no secret is ever in them.</summary>
internal sealed record ProbeOutcome(bool Healthy, FailureReason? Reason, string Description, IReadOnlyDictionary<string, string>? Data = null)
{
    /// <summary>notAfter of the dependency's TLS leaf certificate as last seen (valid or not); null without TLS.</summary>
    public DateTimeOffset? CertificateNotAfter { get; init; }

    public static ProbeOutcome Ok(string description, IReadOnlyDictionary<string, string>? data = null) => new(true, null, description, data);

    public static ProbeOutcome Failed(FailureReason reason, string description, IReadOnlyDictionary<string, string>? data = null) => new(false, reason, description, data);
}
