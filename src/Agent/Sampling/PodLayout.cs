using System.Globalization;

namespace Agent.Sampling;

/// <summary>
/// The top-level processes of a shared PID namespace (a Kubernetes pod with
/// <c>shareProcessNamespace</c>, compose's <c>pid: service:x</c>): each container's first process
/// has parent pid 0 inside the namespace (its parent, the runtime's shim, lives outside), and
/// orphans re-parented to the namespace's init (<c>pause</c>, <c>tini</c>, …) are top-level too.
/// Left out: the agent (its ancestors and descendants), the init itself, and kernel threads —
/// recognised by <c>PF_KTHREAD</c>, not by pid: inside a namespace pid 2 is an ordinary process.
/// </summary>
internal static class PodLayout
{
    /// <summary>Inits that only reap and wait: their children are the pod's processes.</summary>
    private static readonly HashSet<string> Inits = new(StringComparer.Ordinal) { "pause", "tini", "dumb-init", "catatonit", "docker-init" };

    public static List<ProcessEntry> TopLevel(ProcessTable table, int selfPid) =>
        Explain(table, selfPid)
            .Where(v => v.LeftOutBecause is null)
            .Select(v => v.Process)
            .OrderBy(p => p.StartTimeTicks)
            .ThenBy(p => p.Pid)
            .ToList();

    /// <summary>
    /// Every process of the table with the rule that leaves it out, or null for a top-level
    /// process: the one list the auto selector picks from and <c>agent check</c> explains.
    /// </summary>
    public static List<(ProcessEntry Process, string? LeftOutBecause)> Explain(ProcessTable table, int selfPid)
    {
        var ancestors = table.Ancestry(selfPid);
        var own = table.Tree(selfPid).Select(p => p.Pid).ToHashSet();
        var init = table.Find(1) is { } first && Inits.Contains(first.Comm) ? first : null;
        return table.Processes
            .OrderBy(p => p.Pid)
            .Select(p => (p, p switch
            {
                _ when p.IsKernelThread => "a kernel thread",
                _ when p.Pid == selfPid => "the agent itself",
                _ when ancestors.Contains(p.Pid) => "an ancestor of the agent",
                _ when own.Contains(p.Pid) => "started by the agent",
                _ when p.Comm == "pause" => "the pod's pause container",
                _ when p == init => $"the namespace's init ({p.Comm}): its children are the pod's processes",
                _ when p.ParentPid != 0 && (init is null || p.ParentPid != init.Pid) => string.Create(CultureInfo.InvariantCulture, $"a child of {p.ParentPid}: only top-level processes qualify"),
                _ => (string?)null,
            }))
            .ToList();
    }
}
