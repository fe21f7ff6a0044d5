namespace Agent.Logging;

/// <summary>
/// Rate-limits a repeating message: the first occurrence of a key passes, later ones within
/// <see cref="Window"/> are counted and reported with the next one that passes. A dependency
/// that is down for an hour yields 60 log lines, not 3600.
/// </summary>
internal sealed class RepeatGate(TimeProvider time)
{
    private readonly Dictionary<string, (DateTimeOffset LastLogged, int Suppressed)> _keys = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public static TimeSpan Window { get; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// True if a message with <paramref name="key"/> should be logged now; then
    /// <paramref name="suppressed"/> says how many were held back since the last one.
    /// </summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_keys.TryGetValue(key, out var entry) && now - entry.LastLogged < Window)
            {
                _keys[key] = (entry.LastLogged, entry.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            suppressed = entry.Suppressed;
            _keys[key] = (now, 0);
            return true;
        }
    }

    /// <summary>Forgets a key, so that the next occurrence after a recovery is logged at once.</summary>
    public void Reset(string key)
    {
        lock (_lock)
        {
            _keys.Remove(key);
        }
    }
}
