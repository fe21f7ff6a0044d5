namespace Agent.Sampling;

/// <summary>
/// The identity rule. A target is a line of processes since its last restart: the process first
/// found (the anchor), then whatever continued it. When the followed process is lost, a process
/// found in its place <b>continues</b> it (no restart) if it was a member of its tree when last
/// seen (<c>IncludeChildren</c>), or if it was forked after the anchor started and was re-parented
/// on its parent's death past the anchor's parent — to init or to a subreaper above (a
/// double-forking daemon's child, a crashed master's orphaned workers, which share its command
/// line and socket). Anything else is a process from outside taking its place: a <b>restart</b>.
/// When the anchor's own parent is init (a service of systemd, a container's first process under
/// tini), init's other children are told apart by time: only one forked while the followed
/// process was seen alive continues it.
/// </summary>
internal sealed class Lineage
{
    /// <summary>The namespace's init: orphans are re-parented to it unless a subreaper is nearer.</summary>
    private const int Init = 1;

    private readonly ProcessEntry _anchor;
    private readonly HashSet<ProcessIdentity> _members;
    private readonly Predicate<ProcessIdentity> _reaped;
    private ProcessTable? _table;

    public Lineage(ProcessEntry anchor)
    {
        _anchor = anchor;
        _members = [anchor.Identity];
        _reaped = m => !_table!.Holds(m); // one delegate for every tick
    }

    /// <summary>The process first found since the last restart: the counters' start.</summary>
    public ProcessIdentity Anchor => _anchor.Identity;

    /// <summary>The members of the followed tree, as last seen (kept while they live).</summary>
    public void Observe(IReadOnlyList<ProcessIdentity> members, ProcessTable? table)
    {
        if (table is not null)
        {
            _table = table;
            _members.RemoveWhere(_reaped);
            _table = null;
        }

        _members.UnionWith(members);
    }

    /// <summary>Why <paramref name="candidate"/> continues this line, or null if it would be a restart.</summary>
    /// <param name="lastSeenAliveTicks">The boot-clock tick of the last tick the followed process was seen, when known.</param>
    public string? Continues(ProcessEntry candidate, ProcessTable table, ulong? lastSeenAliveTicks)
    {
        // The candidate or one of its ancestors (an orphan's own child matches, say).
        var p = candidate;
        for (var hops = 0; p is not null && hops < 64; hops++, p = table.Find(p.ParentPid))
        {
            var who = p == candidate ? "it" : $"its ancestor {p.Pid}";
            if (_members.Contains(p.Identity))
            {
                return $"{who} was in the lost process's tree";
            }

            if (p.StartTimeTicks < Anchor.StartTimeTicks)
            {
                return null; // older than the line
            }

            if (Orphaned(p, table, lastSeenAliveTicks) is { } why)
            {
                return $"{who} {why}";
            }

            if (p.ParentPid == _anchor.ParentPid)
            {
                return null; // the anchor's sibling: its parent may be starting a replacement (a supervisor)
            }
        }

        return null;
    }

    private string? Orphaned(ProcessEntry p, ProcessTable table, ulong? lastSeenAliveTicks)
    {
        var parent = p.ParentPid;
        if (parent == _anchor.ParentPid)
        {
            // When that parent is init, the anchor's orphans land beside its siblings: only one
            // forked while the followed process was seen alive is of this line.
            return parent == Init && p.StartTimeTicks <= lastSeenAliveTicks
                ? "was forked while the lost process was alive and re-parented to init"
                : null;
        }

        if (parent == Init)
        {
            return "was forked after the target started and re-parented to init (a daemon's child, a crashed parent's orphan)";
        }

        return table.Ancestry(_anchor.ParentPid).Contains(parent)
            ? "was forked after the target started and re-parented to a subreaper above it"
            : null;
    }
}
