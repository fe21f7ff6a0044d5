using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// What a selector may look at during one tick: the procfs, a process table scanned at most once
/// per tick (on first use, shared by every target), the agent's own pid in that procfs, and the
/// processes other targets already follow.
/// </summary>
internal sealed class SelectionContext(ProcFs fs, int selfPid, IReadOnlySet<int>? claimed = null)
{
    private ProcessTable? _table;

    public ProcFs Fs => fs;

    /// <summary>The agent itself: never a target unless the agent watches itself.</summary>
    public int SelfPid => selfPid;

    /// <summary>Root pids followed by other targets this tick.</summary>
    public IReadOnlySet<int> Claimed => claimed ?? EmptySet;

    /// <summary>True once the table was scanned this tick.</summary>
    public bool Scanned => _table is not null;

    public ProcessTable Table => _table ??= ProcessTable.Scan(fs);

    private static readonly HashSet<int> EmptySet = [];
}
