using Agent.Configuration;

namespace Agent.Triggers;

/// <summary>
/// The capture side while diagnostics are off (no token, or <c>Diagnostics:Enabled=false</c>): every
/// capture fails with the reason, so a trigger still fires, logs, counts and backs off as it would
/// on a full disk. With diagnostics on, the artifact store's capture service replaces it.
/// </summary>
internal sealed class UnavailableCaptureStarter : ICaptureStarter
{
    public const string Reason = "diagnostics are off: set Security:DiagnosticsToken (or Security:MetricsToken) and leave Diagnostics:Enabled unset or true";

    public Task<CaptureOutcome> CaptureAsync(string target, TriggerAction action, string trigger, CancellationToken cancellationToken) =>
        Task.FromResult(CaptureOutcome.Failed(Reason));
}
