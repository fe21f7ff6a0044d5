using Agent.Configuration;

namespace Agent.Triggers;

/// <summary>
/// The seam between triggers and the evidence side: runs one capture for a trigger to its end.
/// The capture side owns the artifact store, its disk budget and retention, the one-capture-per-
/// target rule and <c>agent_diagnostics_captures_total</c>; triggers only decide when.
/// </summary>
internal interface ICaptureStarter
{
    /// <summary>
    /// Captures <paramref name="action"/> of <paramref name="target"/> on behalf of
    /// <paramref name="trigger"/> and completes when the artifact is written, refused or failed.
    /// A refusal or failure is an outcome, not an exception.
    /// </summary>
    Task<CaptureOutcome> CaptureAsync(string target, TriggerAction action, string trigger, CancellationToken cancellationToken);
}
