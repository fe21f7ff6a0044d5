namespace Agent.Triggers;

/// <summary>How one capture started by a trigger ended.</summary>
/// <param name="Succeeded">True if the artifact was written.</param>
/// <param name="Reason">Why not, for the log (no secret, no artifact content); null on success.</param>
internal readonly record struct CaptureOutcome(bool Succeeded, string? Reason)
{
    public static CaptureOutcome Success { get; } = new(true, null);

    public static CaptureOutcome Failed(string reason) => new(false, reason);
}
