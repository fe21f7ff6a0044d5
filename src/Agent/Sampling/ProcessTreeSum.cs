using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Sums a target's members each tick: with <c>IncludeChildren</c> its whole tree from the tick's
/// shared process table (gauges over the live members, counters through
/// <see cref="GroupCounters"/> with the reaped children's c-fields and the zombies not yet
/// reaped), else its root alone (its own counters, kept monotonic across a continuation). The
/// members of the last tick are the tree a lost target is continued from.
/// </summary>
internal sealed class ProcessTreeSum
{
    private readonly ProcessReader _reader;
    private readonly GroupCounters _group = new();
    private readonly List<ProcessIdentity> _members = [];
    private readonly HashSet<ProcessIdentity> _goneAtRead = [];
    private readonly Func<ProcessIdentity, bool> _unreaped;
    private ProcessIdentity? _root;
    private ProcessTable? _table;

    public ProcessTreeSum(ProcessReader reader)
    {
        _reader = reader;
        _unreaped = IsUnreaped; // one delegate for every tick: a steady tick allocates nothing
    }

    /// <summary>The members summed in the last tick, root first (zombies included).</summary>
    public IReadOnlyList<ProcessIdentity> Members => _members;

    /// <summary>The target restarted: what the old one counted belongs to the old one.</summary>
    public void Reset()
    {
        _group.Reset();
        _root = null;
    }

    public CounterValues Add(ProcessIdentity root, in ProcessReading rootReading, ref GaugeTotals totals, SelectionContext context, bool tree)
    {
        var system = _reader.System;
        _group.Begin();
        _members.Clear();
        _goneAtRead.Clear();
        var first = rootReading.Member(root, withReaped: tree);
        if (!tree && _root is { } before && before != root)
        {
            // A single-process target continued in another process (a daemon's child, an orphan):
            // its use before it was followed was never this target's.
            _group.Adopt(first);
        }

        _root = root;
        _group.Observe(first);
        _members.Add(root);
        if (tree)
        {
            foreach (var child in context.Table.TreeWithZombies(root.Pid).Skip(1))
            {
                var id = child.Identity;
                if (_reader.Read(child.Pid, out var r, out _, withLimits: false) != ProcReadStatus.Ok || r.Stat.StartTimeTicks != child.StartTimeTicks || !(r.Stat.IsAlive || r.Stat.IsZombie))
                {
                    // Reaped since the scan: its use is in its reaper's c-fields now, or will be by
                    // the next tick (the reaper may have been read just before).
                    _goneAtRead.Add(id);
                    continue;
                }

                if (r.Stat.IsAlive)
                {
                    totals.Add(r, system);
                }

                _group.Observe(r.Member(id, withReaped: true));
                _members.Add(id);
            }
        }

        _table = tree || context.Scanned ? context.Table : null;
        return _group.Total(_unreaped);
    }

    /// <summary>
    /// Not reaped yet, alive or zombie, wherever it is now: seen gone when read this tick, else as
    /// this tick's table shows it, else (a single-process target, no table) as its stat says.
    /// </summary>
    private bool IsUnreaped(ProcessIdentity id) =>
        !_goneAtRead.Contains(id) && (_table?.Holds(id)
            ?? (_reader.ReadStat(id.Pid, out var stat, out _) == ProcReadStatus.Ok && stat.StartTimeTicks == id.StartTimeTicks && (stat.IsAlive || stat.IsZombie)));
}
