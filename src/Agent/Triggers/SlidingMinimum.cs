namespace Agent.Triggers;

/// <summary>
/// The minimum of the values added within the last <c>window</c>, in amortised O(1) per tick and no
/// allocation after construction: a deque of (time, value) with values strictly increasing from
/// front to back, so the front is the minimum (a value that a later, smaller one makes irrelevant is
/// dropped at once). A monotonic leak keeps every sample; hence the capacity of one window of ticks.
/// </summary>
internal sealed class SlidingMinimum
{
    private readonly long[] _times;
    private readonly double[] _values;
    private readonly long _window;
    private int _head;
    private int _count;

    /// <param name="window">How far back the minimum reaches, in <see cref="TimeProvider"/> ticks (100 ns).</param>
    /// <param name="capacity">The most samples one window can hold (window ÷ interval, plus slack).</param>
    public SlidingMinimum(TimeSpan window, int capacity)
    {
        _window = window.Ticks;
        _times = new long[capacity];
        _values = new double[capacity];
    }

    public bool IsEmpty => _count == 0;

    /// <summary>The minimum within the window; undefined while <see cref="IsEmpty"/>.</summary>
    public double Minimum => _values[_head];

    /// <summary>Adds the value seen at <paramref name="now"/> (ticks, non-decreasing) and forgets what fell out of the window.</summary>
    public void Add(long now, double value)
    {
        // Older than the window: out (the sample exactly one window old still counts).
        while (_count > 0 && _times[_head] < now - _window)
        {
            _head = (_head + 1) % _times.Length;
            _count--;
        }

        // A value no smaller than the new one can never be the minimum again.
        while (_count > 0 && _values[Index(_count - 1)] >= value)
        {
            _count--;
        }

        if (_count == _times.Length)
        {
            // More ticks than the window should hold (a clock step): keep the newest.
            _head = (_head + 1) % _times.Length;
            _count--;
        }

        var i = Index(_count);
        _times[i] = now;
        _values[i] = value;
        _count++;
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
    }

    private int Index(int offset) => (_head + offset) % _times.Length;
}
