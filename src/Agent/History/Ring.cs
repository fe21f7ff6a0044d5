namespace Agent.History;

/// <summary>
/// A fixed-size ring of points with their times; the newest overwrites the oldest. Points whose
/// times fall in the same bucket as the newest one are merged into it (downsampling) instead of
/// taking a slot. All memory is allocated in the constructor: appending never allocates.
/// Not thread-safe: the owner serialises access.
/// </summary>
internal sealed class Ring<T>
    where T : struct, IMergeable<T>
{
    private readonly T[] _slots;
    private readonly int[] _offsets;
    private readonly long _bucketMs;
    private long _baseMs;
    private int _head;
    private int _count;

    public Ring(HistoryWindow window)
    {
        _slots = new T[window.Capacity];
        _offsets = new int[window.Capacity];
        _bucketMs = window.BucketMs;
    }

    public int Count => _count;

    public int Capacity => _slots.Length;

    /// <summary>Adds a point at <paramref name="atMs"/> (Unix milliseconds), or merges it into the newest one of the same bucket.</summary>
    public void Add(long atMs, in T point)
    {
        if (_count == 0)
        {
            _baseMs = atMs;
        }
        else if (_bucketMs > 0)
        {
            var newest = (_head + _slots.Length - 1) % _slots.Length;
            var newestMs = _baseMs + _offsets[newest];
            if (atMs / _bucketMs == newestMs / _bucketMs && atMs - newestMs < _bucketMs)
            {
                _slots[newest] = T.Merge(_slots[newest], point);
                _offsets[newest] = Offset(atMs);
                return;
            }
        }

        _slots[_head] = point;
        _offsets[_head] = Offset(atMs);
        _head = (_head + 1) % _slots.Length;
        _count = Math.Min(_count + 1, _slots.Length);
    }

    /// <summary>Copies the points (oldest first) and their Unix-millisecond times into new arrays.</summary>
    public (long[] Times, T[] Points) Copy()
    {
        var times = new long[_count];
        var points = new T[_count];
        var start = (_head + _slots.Length - _count) % _slots.Length;
        for (var i = 0; i < _count; i++)
        {
            var slot = (start + i) % _slots.Length;
            times[i] = _baseMs + _offsets[slot];
            points[i] = _slots[slot];
        }

        return (times, points);
    }

    /// <summary>
    /// Times are 32-bit offsets from a base (half the memory of Unix milliseconds). Every point
    /// held is at most 15 minutes old, so when an offset nears the 24-day range of an int the
    /// base moves forward and the held offsets shrink by the same amount.
    /// </summary>
    private int Offset(long atMs)
    {
        var offset = atMs - _baseMs;
        if (offset > int.MaxValue / 2)
        {
            var shift = offset - (long)TimeSpan.FromHours(1).TotalMilliseconds;
            for (var i = 0; i < _offsets.Length; i++)
            {
                _offsets[i] = (int)Math.Max(int.MinValue, _offsets[i] - shift);
            }

            _baseMs += shift;
            offset -= shift;
        }

        return (int)offset;
    }
}

/// <summary>How two points of one downsampling bucket become one.</summary>
internal interface IMergeable<T>
{
    static abstract T Merge(in T older, in T newer);
}
