using System.Collections.Immutable;
using Agent.Sampling;

namespace Agent.Runtimes.Python;

/// <summary>
/// A target's Python collector as its hooks last answered (<c>gc.get_stats()</c> and friends). For
/// a tree target (gunicorn) the values are summed over the members whose hook answered;
/// counters stay monotonic as workers come and go (<see cref="PythonGcTotals"/>).
/// </summary>
/// <param name="Connected">True when at least one member's hook answered this interval.</param>
/// <param name="Generations">Collections, collected and uncollectable per generation, since each process started.</param>
/// <param name="Garbage">Objects in <c>gc.garbage</c> now.</param>
/// <param name="Threads">The application's Python threads now.</param>
/// <param name="Processes">Members whose hook answered.</param>
internal sealed record PythonGcSnapshot(bool Connected, IReadOnlyList<PythonGcGeneration> Generations, long Garbage, long Threads, int Processes)
{
    /// <summary>A Python target whose hook does not answer (or is not loaded).</summary>
    public static PythonGcSnapshot Disconnected { get; } = new(false, [], 0, 0, 0);
}

/// <summary>
/// Latest Python runtime state per target, written by <see cref="PythonRuntimeService"/> only
/// (copy-on-write, readers take no lock). A target is listed while it looks like Python or has a
/// hook; absent means "not a Python target".
/// </summary>
internal sealed class PythonGcStore
{
    private ImmutableDictionary<string, PythonGcSnapshot> _targets = ImmutableDictionary.Create<string, PythonGcSnapshot>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, PythonGcSnapshot> Targets => Volatile.Read(ref _targets);

    public void Publish(IReadOnlyDictionary<string, PythonGcSnapshot> targets) =>
        Volatile.Write(ref _targets, targets.ToImmutableDictionary(StringComparer.Ordinal));
}

/// <summary>
/// Sums a process tree's collector counters monotonically: a member whose hook misses one answer
/// keeps its last values, a member that exits keeps contributing what it counted (as
/// process-exporter does for CPU), so the sum never falls while workers come and go.
/// </summary>
internal sealed class PythonGcTotals
{
    private readonly Dictionary<ProcessIdentity, PythonGcGeneration[]> _live = [];
    private PythonGcGeneration[] _departed = [];

    public void Reset()
    {
        _live.Clear();
        _departed = [];
    }

    /// <summary>One interval: every member alive now, with its answer or null when it gave none.</summary>
    public IReadOnlyList<PythonGcGeneration> Add(IReadOnlyList<ProcessIdentity> members, IReadOnlyList<IReadOnlyList<PythonGcGeneration>?> answers)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (answers[i] is { } stats)
            {
                _live[members[i]] = [.. stats];
            }
        }

        foreach (var member in _live.Keys.ToList())
        {
            if (!members.Contains(member))
            {
                _departed = Sum(_departed, _live[member]);
                _live.Remove(member);
            }
        }

        var total = _departed;
        foreach (var stats in _live.Values)
        {
            total = Sum(total, stats);
        }

        return total;
    }

    private static PythonGcGeneration[] Sum(PythonGcGeneration[] a, PythonGcGeneration[] b)
    {
        var sum = new PythonGcGeneration[Math.Max(a.Length, b.Length)];
        for (var i = 0; i < sum.Length; i++)
        {
            var x = i < a.Length ? a[i] : new PythonGcGeneration(0, 0, 0);
            var y = i < b.Length ? b[i] : new PythonGcGeneration(0, 0, 0);
            sum[i] = new PythonGcGeneration(x.Collections + y.Collections, x.Collected + y.Collected, x.Uncollectable + y.Uncollectable);
        }

        return sum;
    }
}
