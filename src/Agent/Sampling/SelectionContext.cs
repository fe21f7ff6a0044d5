using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// What a selector may look at during one tick: the procfs, a process table scanned at most once
/// per tick (on first use, shared by every target), the agent's own pid in that procfs, and which
/// processes other targets already follow.
/// </summary>
internal sealed class SelectionContext(ProcFs fs, int selfPid, Func<int, bool>? isClaimed = null)
{
    private ProcessTable? _table;
    private List<ProcessEntry>? _topLevel;

    public ProcFs Fs => fs;

    /// <summary>The agent itself: never a target unless the agent watches itself.</summary>
    public int SelfPid => selfPid;

    /// <summary>True once the table was scanned this tick.</summary>
    public bool Scanned => _table is not null;

    public ProcessTable Table => _table ??= ProcessTable.Scan(fs);

    /// <summary>The top-level processes of the PID namespace (see <see cref="PodLayout"/>), oldest first.</summary>
    public IReadOnlyList<ProcessEntry> TopLevel => _topLevel ??= PodLayout.TopLevel(Table, selfPid);

    /// <summary>True if another target follows this pid now.</summary>
    public bool IsClaimed(int pid) => isClaimed?.Invoke(pid) ?? false;
}
