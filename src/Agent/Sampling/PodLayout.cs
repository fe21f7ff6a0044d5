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

    public static List<ProcessEntry> TopLevel(ProcessTable table, int selfPid)
    {
        var excluded = table.Ancestry(selfPid);
        foreach (var p in table.Tree(selfPid))
        {
            excluded.Add(p.Pid);
        }

        var init = table.Find(1) is { } first && Inits.Contains(first.Comm) ? first : null;
        return table.Processes
            .Where(p => !p.IsKernelThread
                && p.Comm != "pause"
                && p != init
                && !excluded.Contains(p.Pid)
                && (p.ParentPid == 0 || (init is not null && p.ParentPid == init.Pid)))
            .OrderBy(p => p.StartTimeTicks)
            .ThenBy(p => p.Pid)
            .ToList();
    }
}
