using Agent.Configuration;

namespace Agent.Triggers;

/// <summary>
/// The capture side for a build without an artifact store: every capture fails with the reason,
/// so a trigger still fires, logs, counts and backs off as it would on a full disk.
/// </summary>
internal sealed class UnavailableCaptureStarter : ICaptureStarter
{
    public Task<CaptureOutcome> CaptureAsync(string target, TriggerAction action, string trigger, CancellationToken cancellationToken) =>
        Task.FromResult(CaptureOutcome.Failed("no capture service in this build"));
}
