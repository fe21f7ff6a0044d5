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
    private HashSet<int>? _ancestors;

    public ProcFs Fs => fs;

    /// <summary>Clock ticks, page size and the boot clock of this procfs.</summary>
    public ProcSystem System => fs.System;

    /// <summary>The agent itself: never a target unless the agent watches itself.</summary>
    public int SelfPid => selfPid;

    /// <summary>True once the table was scanned this tick.</summary>
    public bool Scanned => _table is not null;

    public ProcessTable Table => _table ??= ProcessTable.Scan(fs);

    /// <summary>The top-level processes of the PID namespace (see <see cref="PodLayout"/>), oldest first.</summary>
    public IReadOnlyList<ProcessEntry> TopLevel => _topLevel ??= PodLayout.TopLevel(Table, selfPid);

    /// <summary>True if another target follows this pid now.</summary>
    public bool IsClaimed(int pid) => isClaimed?.Invoke(pid) ?? false;

    /// <summary>
    /// False for what no selector may pick: the agent itself, its ancestors (a <c>timeout</c>,
    /// <c>sh -c</c> or <c>tini</c> around it, whose command lines hold the agent's own arguments)
    /// and kernel threads.
    /// </summary>
    public bool IsCandidate(ProcessEntry p) =>
        p.Pid != selfPid && !p.IsKernelThread && !(_ancestors ??= Table.Ancestry(selfPid)).Contains(p.Pid);
}
