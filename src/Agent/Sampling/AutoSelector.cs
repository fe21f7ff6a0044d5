using System.Globalization;
using System.Text.RegularExpressions;

namespace Agent.Sampling;

/// <summary>
/// In a shared PID namespace (Kubernetes <c>shareProcessNamespace</c>, compose <c>pid: service:app</c>)
/// the target is the only top-level process that is not the agent, its ancestors or
/// descendants, or the pod's <c>pause</c> container.
/// </summary>
internal sealed class AutoSelector : TargetSelector
{
    public override string Description => "auto";

    public override Selection Select(Func<ProcessTable> table)
    {
        var t = table();
        var self = Environment.ProcessId;
        var excluded = t.Ancestry(self);
        foreach (var p in t.Tree(self))
        {
            excluded.Add(p.Pid);
        }

        var candidates = t.Processes
            .Where(p => !excluded.Contains(p.Pid) && p.Comm != "pause" && p.ParentPid != 2 && p.Pid != 2)
            .ToList();
        var pids = candidates.Select(c => c.Pid).ToHashSet();
        var roots = candidates.Where(c => !pids.Contains(c.ParentPid)).OrderBy(c => c.Pid).ToList();
        return roots.Count switch
        {
            0 => Selection.NotFound("no process other than the agent in this PID namespace (is shareProcessNamespace set?)"),
            1 => Selection.Found(roots[0].Pid),
            _ => Selection.Ambiguous(
                $"{roots.Count} processes qualify: " + string.Join(", ", roots.Take(10).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Pid} ({r.Comm})"))) + (roots.Count > 10 ? ", ..." : string.Empty)
                + "; set Target:ProcessName or Target:CommandLinePattern",
                roots),
        };
    }
}
