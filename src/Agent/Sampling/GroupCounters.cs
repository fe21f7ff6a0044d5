namespace Agent.Sampling;

/// <summary>
/// Keeps a process tree's counters monotonic while members come and go: a worker that exits
/// keeps contributing what it had counted (as process-exporter does), so the sum never falls
/// and Prometheus never sees a false counter reset. Reset only when the root itself changes.
/// </summary>
internal sealed class GroupCounters
{
    private Dictionary<ProcessIdentity, CounterValues> _live = [];
    private Dictionary<ProcessIdentity, CounterValues> _next = [];
    private CounterValues _departed;

    public void Reset()
    {
        _live.Clear();
        _departed = default;
    }

    /// <summary>Starts a tick; then <see cref="Observe"/> each live member; then <see cref="Total"/>.</summary>
    public void Begin() => _next.Clear();

    public void Observe(ProcessIdentity member, CounterValues values) => _next[member] = values;

    public CounterValues Total()
    {
        foreach (var (id, values) in _live)
        {
            if (!_next.ContainsKey(id))
            {
                _departed += values;
            }
        }

        (_live, _next) = (_next, _live);
        var total = _departed;
        foreach (var values in _live.Values)
        {
            total += values;
        }

        return total;
    }
}
