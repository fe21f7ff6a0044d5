namespace Agent.Sampling;

/// <summary>Picks one target's process.</summary>
internal abstract class TargetSelector
{
    /// <summary>Human-readable description for logs and the landing page, e.g. <c>name=gunicorn</c>.</summary>
    public abstract string Description { get; }

    public abstract Selection Select(SelectionContext context);

    /// <summary>
    /// True when a selector names one process, not a kind (<c>Target:Pid</c>): once that process
    /// is gone the target is down for good, whatever takes its pid.
    /// </summary>
    public virtual bool NamesOneProcess => false;

    /// <summary>
    /// Of several matching processes the tree roots first (a match whose parent does not match),
    /// oldest first, then the others, oldest first.
    /// </summary>
    protected static Selection PickRoot(IReadOnlyList<ProcessEntry> matches, string what)
    {
        if (matches.Count == 0)
        {
            return Selection.NotFound($"no process matches {what}");
        }

        var pids = matches.Select(m => m.Pid).ToHashSet();
        return Selection.Picked([.. matches.OrderBy(m => pids.Contains(m.ParentPid)).ThenBy(m => m.StartTimeTicks).ThenBy(m => m.Pid)]);
    }
}
