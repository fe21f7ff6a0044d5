using System.Collections.Immutable;

namespace Agent.Traffic;

/// <summary>
/// The latest traffic snapshot of each target (copy-on-write: writers never block each other,
/// readers take no lock). Written by each target's .NET session and by the StatsD listener; an
/// absent entry means nothing was counted for that target (yet).
/// </summary>
internal sealed class TrafficStore
{
    private ImmutableDictionary<string, TrafficSnapshot> _targets = ImmutableDictionary.Create<string, TrafficSnapshot>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, TrafficSnapshot> All => Volatile.Read(ref _targets);

    public TrafficSnapshot? Of(string target) => Volatile.Read(ref _targets).TryGetValue(target, out var s) ? s : null;

    /// <summary>Sets the target's traffic; null removes it.</summary>
    public void Publish(string target, TrafficSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            ImmutableInterlocked.TryRemove(ref _targets, target, out _);
        }
        else
        {
            ImmutableInterlocked.AddOrUpdate(ref _targets, target, snapshot, (_, _) => snapshot);
        }
    }

    /// <summary>Removes the target's entry if <paramref name="source"/> wrote it (a .NET session that ended leaves StatsD's alone).</summary>
    public void Remove(string target, TrafficSource source)
    {
        while (true)
        {
            var all = Volatile.Read(ref _targets);
            if (!all.TryGetValue(target, out var current) || current.Source != source
                || ReferenceEquals(Interlocked.CompareExchange(ref _targets, all.Remove(target), all), all))
            {
                return;
            }
        }
    }
}
