namespace Agent.Common;

/// <summary>
/// Monotonic counts by key, kept by the feature that counts them (probe failures, trigger firings,
/// captures) and read by an observable counter in Telemetry: producers never call an instrument,
/// so Telemetry depends on them and not the other way round. Keys are reported in the order they
/// were first counted (an exposition's series keep their order); adding 0 makes a series exist at 0.
/// </summary>
internal abstract class Totals<TKey>
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, int> _index = [];
    private readonly List<TKey> _keys = [];
    private readonly List<long> _counts = [];

    /// <summary>Every key counted so far with its total, in first-counted order.</summary>
    public IReadOnlyList<(TKey Key, long Count)> Snapshot()
    {
        lock (_lock)
        {
            var result = new (TKey, long)[_keys.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (_keys[i], _counts[i]);
            }

            return result;
        }
    }

    protected void Add(TKey key, long count)
    {
        lock (_lock)
        {
            if (!_index.TryGetValue(key, out var i))
            {
                i = _keys.Count;
                _index.Add(key, i);
                _keys.Add(key);
                _counts.Add(0);
            }

            _counts[i] += count;
        }
    }
}
