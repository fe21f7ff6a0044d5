using System.Globalization;
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
internal sealed class DiagnosticsCapabilities(DiagnosticTargets targets, CaptureService captures, TargetRuntime runtime, AgentSettings settings, Runtimes.RuntimeStore store, TimeProvider time, Traffic.TrafficStore? traffic = null, Sampling.TargetSnapshotStore? snapshots = null)
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
            var endpoint = settings.Federation.FirstOrDefault(e => e.Key == name) ?? (name == primary ? settings.Federation.FirstOrDefault(e => e.Key == FederationEndpoint.PrimaryKey) : null);
            var access = await CapabilityInspector.InspectAsync(settings.Sampling.ProcRoot, target.Identity.Pid, settings, cancellationToken, endpoint);
            if (settings.Runtime.Dotnet.Enabled && Counters(name) is { } counters)
            {
                access = access with { Items = [.. access.Items, counters] };
            }

            if (Traffic(name) is { } seen)
            {
                // What the session or the listener saw replaces what the process's files suggest.
                access = access with { Items = [.. access.Items.Select(i => i.Name == TrafficAdvice.Name ? seen : i)] };
            }

            list.Add(new TargetCapabilities(name, target.Identity.Pid, runtime.Detect(target), d.Directory, d.StacksDirectory, kinds, access, null));
        }

        return list;
    }

    /// <summary>
    /// The running agent's own word on the target's traffic: counted (how many, from which source), a
    /// .NET session that works but sees no ASP.NET Core server, or the session's problem; null when it
    /// has seen nothing either way (the static inspection stands).
    /// </summary>
    private Capability? Traffic(string name)
    {
        var now = time.GetUtcNow();
        var target = snapshots?.Current.Find(name);
        if (traffic?.Of(name) is { } t && target is not null && t.IsCurrentFor(target, now, Runtimes.MetricsSession.StaleAfter(settings.Sampling.Interval)))
        {
            var limit = t.Notes.Limit is { } l ? "; " + l : string.Empty;
            var capped = t.Refused > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {t.Refused} measurements went to overflow series (Traffic:MaxSeries {settings.Traffic.MaxSeries})") : string.Empty;
            if (t.Source == Agent.Traffic.TrafficSource.Statsd)
            {
                var ago = t.Notes.LastPacket is { } at ? string.Create(CultureInfo.InvariantCulture, $", the last {(now - at).TotalSeconds:0.#} s ago") : string.Empty;
                return new(TrafficAdvice.Name, CapabilityStatus.Available, string.Create(CultureInfo.InvariantCulture, $"flowing: {t.Requests:0} requests counted from gunicorn's StatsD output ({t.Notes.Packets} datagrams{ago}){capped}"), null, TrafficAdvice.Affects);
            }

            var meters = t.Notes.Meters.Count > 0 ? string.Join(", ", t.Notes.Meters) : "none of the traffic meters yet";
            return t.ServesHttp
                ? new(TrafficAdvice.Name, t.Notes.Limit is null ? CapabilityStatus.Available : CapabilityStatus.Unavailable, string.Create(CultureInfo.InvariantCulture, $"flowing: {t.Requests:0} requests counted over the agent's metrics session (meters: {meters}){capped}{limit}"), t.Notes.Limit is null ? null : "raise Runtime:Dotnet:MaxHistograms (and MaxTimeSeries) in the agent and in every tool sharing the session", TrafficAdvice.Affects)
                : new(TrafficAdvice.Name, CapabilityStatus.NotApplicable, $"the metrics session works, and the process reports no ASP.NET Core server (meters: {meters}): no served requests to count; an app that starts serving later is picked up{limit}", null, TrafficAdvice.Affects);
        }

        if (settings.Traffic.Enabled && store.DotnetProblemOf(name) is { } problem && problem.Fix is not null)
        {
            return new(TrafficAdvice.Name, CapabilityStatus.Unavailable, "the traffic meters ride the .NET metrics session, which delivers nothing: " + problem.Detail, problem.Fix, TrafficAdvice.Affects);
        }

        return null;
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
