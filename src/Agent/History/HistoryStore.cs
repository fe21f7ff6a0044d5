using System.Collections.Immutable;
using Agent.Configuration;

namespace Agent.History;

/// <summary>
/// Every series the page draws: per target (by name), per probe (by name), and the events.
/// Targets are added on the tick that first sees them; probes are fixed at startup.
/// </summary>
internal sealed class HistoryStore
{
    private readonly HistoryWindow _targetWindow;
    private ImmutableDictionary<string, TargetHistory> _targets = ImmutableDictionary<string, TargetHistory>.Empty.WithComparers(StringComparer.Ordinal);

    public HistoryStore(TimeSpan samplingInterval, IReadOnlyList<ProbeDefinition> probes)
    {
        _targetWindow = HistoryWindow.For(samplingInterval);
        // A probe's result is picked up on the sampling tick: it cannot be recorded faster.
        Probes = probes.Select(p => new ProbeHistory(p, HistoryWindow.For(p.Period > samplingInterval ? p.Period : samplingInterval))).ToImmutableArray();
    }

    /// <summary>Targets in the order they were first seen.</summary>
    public IEnumerable<TargetHistory> Targets => Volatile.Read(ref _targets).Values.OrderBy(t => t.Order);

    public ImmutableArray<ProbeHistory> Probes { get; }

    public EventLog Events { get; } = new();

    /// <summary>The named target's history, created on first use (by the sampling loop).</summary>
    public TargetHistory Target(string name)
    {
        var current = Volatile.Read(ref _targets);
        if (current.TryGetValue(name, out var history))
        {
            return history;
        }

        return ImmutableInterlocked.GetOrAdd(ref _targets, name, n => new TargetHistory(n, _targetWindow, current.Count));
    }
}
