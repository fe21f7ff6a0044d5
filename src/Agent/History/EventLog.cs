namespace Agent.History;

/// <summary>
/// The last <see cref="Capacity"/> events, whatever their age (they are rare, and "restarted two
/// hours ago" is worth keeping). Any component may add one; readers get a copy, newest first.
/// </summary>
internal sealed class EventLog
{
    public const int Capacity = 200;

    private readonly Lock _lock = new();
    private readonly HistoryEvent[] _events = new HistoryEvent[Capacity];
    private int _head;
    private int _count;

    public void Add(HistoryEvent e)
    {
        lock (_lock)
        {
            _events[_head] = e;
            _head = (_head + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    public HistoryEvent[] Newest(int max)
    {
        lock (_lock)
        {
            var n = Math.Min(max, _count);
            var result = new HistoryEvent[n];
            for (var i = 0; i < n; i++)
            {
                result[i] = _events[(_head - 1 - i + Capacity) % Capacity];
            }

            return result;
        }
    }
}
