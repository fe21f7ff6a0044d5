namespace Agent.Sampling;

/// <summary>Picks one target's process.</summary>
internal abstract class TargetSelector
{
    /// <summary>Human-readable description for logs and the landing page, e.g. <c>name=gunicorn</c>.</summary>
    public abstract string Description { get; }

    public abstract Selection Select(SelectionContext context);

    /// <summary>Of several matching processes keep the tree roots, then the oldest root.</summary>
    protected static Selection PickRoot(IReadOnlyList<ProcessEntry> matches, string what)
    {
        if (matches.Count == 0)
        {
            return Selection.NotFound($"no process matches {what}");
        }

        var pids = matches.Select(m => m.Pid).ToHashSet();
        var roots = matches.Where(m => !pids.Contains(m.ParentPid)).OrderBy(m => m.StartTimeTicks).ThenBy(m => m.Pid).ToList();
        return Selection.Found(roots.Count > 0 ? roots[0].Pid : matches[0].Pid);
    }
}
