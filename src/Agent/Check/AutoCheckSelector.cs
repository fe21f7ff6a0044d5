using System.Globalization;
using Agent.Sampling;

namespace Agent.Check;

/// <summary>
/// What <c>Target:Auto</c> would take as the main target, for <c>agent check</c>: the running agent
/// makes every top-level process a target (<see cref="AutoDiscovery"/>); the check names the one
/// that is not a known mesh proxy, or says why there is none or several.
/// </summary>
internal sealed class AutoCheckSelector(IReadOnlyCollection<string> proxies) : TargetSelector
{
    public override string Description => "auto";

    public override Selection Select(SelectionContext context)
    {
        // `kubectl exec <pod> -c agent -- agent check` runs beside the sidecar it checks: another
        // process with the agent's own name is that sidecar, not an app.
        var self = context.Table.Find(context.SelfPid)?.Comm;
        var apps = context.TopLevel.Where(p => !proxies.Contains(p.Comm) && p.Comm != self).ToList();
        return apps.Count switch
        {
            0 => Selection.NotFound("no process other than the agent (and mesh proxies) in this PID namespace (is shareProcessNamespace set?)"),
            1 => Selection.Found(apps[0].Pid),
            _ => Selection.Ambiguous(
                string.Create(CultureInfo.InvariantCulture, $"{apps.Count} top-level processes: each becomes a target named after its comm"),
                apps),
        };
    }
}
