using Agent.Configuration;
using Agent.Probes;

namespace Agent.History;

/// <summary>
/// One probe's results over the last 15 minutes, and how long it has been in its current state.
/// Written by the sampling loop (which picks up each new result), read by endpoints.
/// </summary>
internal sealed class ProbeHistory(ProbeDefinition probe, HistoryWindow window)
{
    private readonly Lock _lock = new();
    private readonly Ring<ProbePoint> _ring = new(window);
    private DateTimeOffset _lastCompleted;
    private ProbeState? _state;
    private long _streak;
    private DateTimeOffset _since;

    public ProbeDefinition Probe { get; } = probe;

    /// <summary>
    /// Appends <paramref name="result"/> unless it was already seen (false then). Before the first
    /// result the probe counts as healthy, so a first failure is a change.
    /// </summary>
    public bool Record(ProbeResult result, out ProbeState previous, out ProbeState current)
    {
        previous = _state ?? ProbeState.Ok;
        current = previous;
        if (result.CompletedAt <= _lastCompleted)
        {
            return false;
        }

        _lastCompleted = result.CompletedAt;
        current = ProbeStates.Of(result.Outcome);
        lock (_lock)
        {
            _ring.Add(result.CompletedAt.ToUnixTimeMilliseconds(), new ProbePoint((float)result.Duration.TotalMilliseconds, current));
            if (_state != current)
            {
                _since = result.CompletedAt;
                _streak = 0;
            }

            _state = current;
            _streak++;
        }

        return true;
    }

    /// <summary>Consecutive results in the current state, and since when.</summary>
    public (long Streak, DateTimeOffset Since) Streak()
    {
        lock (_lock)
        {
            return (_streak, _since);
        }
    }

    public (long[] Times, ProbePoint[] Points) Copy()
    {
        lock (_lock)
        {
            return _ring.Copy();
        }
    }
}
