using System.Collections.Immutable;

namespace Agent.Probes;

/// <summary>
/// The latest result of every probe: an immutable map swapped atomically. Probe runners write,
/// /ready and the metric callbacks read without locks.
/// </summary>
internal sealed class ProbeResultStore
{
    private ImmutableDictionary<string, ProbeResult> _results = ImmutableDictionary<string, ProbeResult>.Empty.WithComparers(StringComparer.Ordinal);

    public ImmutableDictionary<string, ProbeResult> Current => Volatile.Read(ref _results);

    public void Publish(ProbeResult result) =>
        ImmutableInterlocked.AddOrUpdate(ref _results, result.Probe.Name, result, (_, _) => result);
}
