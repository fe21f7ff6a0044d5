using Agent.Configuration;

namespace Agent.Sampling;

/// <summary>
/// Pod-aware <c>Target:Auto</c>: every top-level process of the shared PID namespace (see
/// <see cref="PodLayout"/>) that no target follows becomes a target named after its comm
/// (<c>-2</c>, <c>-3</c> for repeats). A discovered target whose process exits keeps its name and
/// takes the next top-level process with the same comm (a restarted container), so names are
/// stable and its restarts are counted. Known mesh proxies are watched as optional: they never
/// hold <c>/ready</c> down. Runs every other tick, so a late container is picked up within 3
/// intervals, and shares the tick's one process-table scan.
/// </summary>
internal sealed class AutoDiscovery(TrackerFactory factory, IReadOnlySet<string> proxies, bool includeChildren)
{
    /// <summary>Sidecar proxies injected by service meshes and cloud SDKs (comm, ≤ 15 characters).</summary>
    public static readonly IReadOnlyList<string> KnownProxies = ["envoy", "pilot-agent", "linkerd2-proxy", "linkerd-proxy", "istio-proxy", "cloud-sql-proxy"];

    private int _ticks;

    /// <summary>True every other tick (the first tick included).</summary>
    public bool Due() => _ticks++ % 2 == 0;

    /// <summary>New trackers for the top-level processes nobody follows and no vacant discovered target will take.</summary>
    public List<TargetTracker> Discover(SelectionContext context, IReadOnlyList<TargetTracker> existing)
    {
        var added = new List<TargetTracker>();
        var vacant = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in existing)
        {
            if (t.Current is null && t.DiscoveredComm is { } comm)
            {
                vacant[comm] = vacant.GetValueOrDefault(comm) + 1;
            }
        }

        HashSet<string>? taken = null;
        foreach (var p in context.TopLevel)
        {
            if (context.IsClaimed(p.Pid))
            {
                continue;
            }

            if (vacant.TryGetValue(p.Comm, out var free) && free > 0)
            {
                vacant[p.Comm] = free - 1; // that target re-resolves to it on its own (within 2 intervals)
                continue;
            }

            taken ??= existing.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var name = TargetNames.Unique(TargetNames.FromComm(p.Comm), taken);
            taken.Add(name);
            var proxy = proxies.Contains(p.Comm);
            var tracker = factory.Create(name, required: !proxy, new DiscoveredSelector(p.Comm), includeChildren);
            SamplingLog.TargetDiscovered(factory.Logger, name, p.Pid, p.Comm, proxy ? " (a known proxy: optional for /ready)" : string.Empty);
            added.Add(tracker);
        }

        return added;
    }
}
