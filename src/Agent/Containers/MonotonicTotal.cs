namespace Agent.Containers;

/// <summary>
/// A kernel counter of a cgroup kept monotonic across cgroups: a restarted container usually gets
/// a new cgroup whose counters start at 0 again, and a recreated one resets them. While one
/// cgroup is read the total equals its file (an agent started late reports what the kernel
/// counted); at a change the last value seen of the old cgroup is carried over.
/// </summary>
internal struct MonotonicTotal
{
    private long _carried;
    private long? _last;
    private string? _source;

    /// <summary>Null until a value was read.</summary>
    public readonly long? Total => _source is null ? null : _carried + (_last ?? 0);

    /// <summary>The last value read from the current source.</summary>
    public readonly long? Last => _last;

    public void Observe(string source, long? raw)
    {
        if (raw is not { } value)
        {
            return;
        }

        if (!string.Equals(_source, source, StringComparison.Ordinal))
        {
            _carried += _last ?? 0;
            _source = source;
            _last = null;
        }

        if (_last is { } last && value < last)
        {
            _carried += last; // the cgroup was recreated under the same path
        }

        _last = value;
    }
}
