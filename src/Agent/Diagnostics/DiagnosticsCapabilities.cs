using Agent.Capabilities;
using Agent.Configuration;

namespace Agent.Diagnostics;

/// <summary>One kind of evidence for one target: can it be captured now, and if not, the fix.</summary>
internal sealed record KindCapability(ArtifactKind Kind, bool Available, string? Fix);

/// <summary>
/// What <c>GET /diag/capabilities</c> says about one target: its runtime, each evidence kind, and
/// what the agent can read of it (<see cref="CapabilityReport"/>: stat, io, fd/, smaps_rollup, the
/// .NET socket, the federation URL) with the fix for each "cannot".
/// </summary>
internal sealed record TargetCapabilities(string Target, int? Pid, RuntimeKind? Runtime, string Directory, string StacksDirectory, IReadOnlyList<KindCapability> Kinds, CapabilityReport? Access, string? Problem);

/// <summary>
/// Builds the capability answer per target. Each capture answers for itself
/// (<see cref="ICapture.Unsupported"/>), so this report and the 409 of a request never disagree; the
/// access part is the same inspection <c>agent check</c> prints.
/// </summary>
internal sealed class DiagnosticsCapabilities(DiagnosticTargets targets, CaptureService captures, TargetRuntime runtime, AgentSettings settings, Runtimes.RuntimeStore store, TimeProvider time)
{
    public async Task<IReadOnlyList<TargetCapabilities>> BuildAsync(CancellationToken cancellationToken)
    {
        var d = settings.Diagnostics;
        var primary = targets.Primary;
        var list = new List<TargetCapabilities>();
        foreach (var name in targets.Names)
        {
            if (targets.Find(name) is not { } target)
            {
                list.Add(new TargetCapabilities(name, null, null, d.Directory, d.StacksDirectory, [], null, "the target is not present right now"));
                continue;
            }

            var kinds = captures.Kinds.Order().Select(kind =>
            {
                var why = captures.Capture(kind)!.Unsupported(target, new CaptureRequest(name, kind, "capabilities"));
                return new KindCapability(kind, why is null, why);
            }).ToList();
            var endpoint = settings.Federation.FirstOrDefault(e => e.Key == name) ?? (name == primary ? settings.Federation.FirstOrDefault(e => e.Key == Runtimes.FederationEndpoint.PrimaryKey) : null);
            var access = await CapabilityInspector.InspectAsync(settings.Sampling.ProcRoot, target.Identity.Pid, settings, cancellationToken, endpoint);
            if (settings.Runtime.Dotnet.Enabled && Counters(name) is { } counters)
            {
                access = access with { Items = [.. access.Items, counters] };
            }

            list.Add(new TargetCapabilities(name, target.Identity.Pid, runtime.Detect(target), d.Directory, d.StacksDirectory, kinds, access, null));
        }

        return list;
    }

    /// <summary>The running session's own word on the target's .NET counters: flowing, or why not and the fix.</summary>
    private Capability? Counters(string name)
    {
        const string Name = DotnetCountersCheck.Name;
        if (Runtimes.MetricsSession.Flowing(store.DotnetOf(name), settings.Sampling.Interval, time.GetUtcNow()))
        {
            return new(Name, CapabilityStatus.Available, "counters are flowing over the agent's EventPipe session", null, CapabilityAdvice.DotnetAffects);
        }

        return store.DotnetProblemOf(name) is { } problem
            ? new(Name, problem.Fix is null ? CapabilityStatus.NotApplicable : CapabilityStatus.Unavailable, problem.Detail, problem.Fix, CapabilityAdvice.DotnetAffects)
            : null;
    }
}
