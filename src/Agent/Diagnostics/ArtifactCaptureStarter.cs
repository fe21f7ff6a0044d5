using Agent.Configuration;
using Agent.Triggers;

namespace Agent.Diagnostics;

/// <summary>
/// The triggers' capture seam, served by the <see cref="CaptureService"/>: a trigger's capture gets
/// the same checks, budget, one-per-target rule and metrics as an HTTP request, with the trigger's
/// name as <c>trigger</c>. A refusal is a failed outcome whose reason the trigger logs.
/// </summary>
internal sealed class ArtifactCaptureStarter(CaptureService captures, DiagnosticsSettings settings) : ICaptureStarter
{
    /// <summary>A triggered trace records this long: enough for a CPU or GC picture, short enough to repeat.</summary>
    public static readonly TimeSpan TriggeredTraceDuration = TimeSpan.FromSeconds(10);

    public async Task<CaptureOutcome> CaptureAsync(string target, TriggerAction action, string trigger, CancellationToken cancellationToken)
    {
        var kind = action switch
        {
            TriggerAction.Dump => ArtifactKind.Dump,
            TriggerAction.Trace => ArtifactKind.Trace,
            TriggerAction.Stacks => ArtifactKind.Stacks,
            TriggerAction.Heap => ArtifactKind.Heap,
            TriggerAction.Profile => ArtifactKind.Profile,
            _ => ArtifactKind.Snapshot,
        };
        var duration = kind switch
        {
            ArtifactKind.Trace => TriggeredTraceDuration,
            ArtifactKind.Heap => settings.HeapWindow, // growth needs a window: the answer, not one more summary
            _ => (TimeSpan?)null,
        };
        var result = captures.Start(new CaptureRequest(target, kind, trigger, Duration: duration));
        if (result.Refusal is { } refusal)
        {
            return CaptureOutcome.Failed($"{System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(refusal.Reason.ToString())}: {refusal.Message}");
        }

        var id = result.Entry!.Id;
        if (captures.WhenFinished(id) is not { } pending)
        {
            return CaptureOutcome.Failed($"artifact {id} was deleted before it finished");
        }

        var finished = await pending.WaitAsync(cancellationToken);
        return finished.State == ArtifactState.Done ? CaptureOutcome.Success : CaptureOutcome.Failed(finished.Error ?? "failed");
    }
}
