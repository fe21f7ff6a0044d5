using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Adds a target's descendants to its root's values (<c>IncludeChildren</c>): gauges are summed
/// as they are now, counters through <see cref="GroupCounters"/> so they stay monotonic while
/// workers come and go. The tree comes from the tick's shared process table.
/// </summary>
internal sealed class ProcessTreeSum(ProcessReader reader)
{
    private readonly GroupCounters _group = new();

    /// <summary>The root changed: what departed members counted belongs to the old tree.</summary>
    public void Reset() => _group.Reset();

    public CounterValues Add(ProcessIdentity root, CounterValues rootCounters, ref GaugeTotals totals, ProcessTable table)
    {
        var system = reader.System;
        _group.Begin();
        _group.Observe(root, rootCounters);
        foreach (var child in table.Tree(root.Pid).Skip(1))
        {
            // A child gone mid-tick is skipped; its last counters stay in the group's total.
            if (reader.Read(child.Pid, out var r, out _, withLimits: false) != ProcReadStatus.Ok || !r.Stat.IsAlive)
            {
                continue;
            }

            totals.Add(r, system);
            _group.Observe(new ProcessIdentity(child.Pid, r.Stat.StartTimeTicks), r.Counters(system));
        }

        return _group.Total();
    }
}
