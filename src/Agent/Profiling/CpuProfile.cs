namespace Agent.Profiling;

/// <summary>One frame of a sampled stack: a function's name and, where the runtime says it, its file and line (0 when unknown).</summary>
internal sealed record ProfileFrame(string Function, string? File = null, int Line = 0)
{
    /// <summary>A frame no method table of the window covers (native code, a stub, or code unloaded before the rundown): kept, never dropped.</summary>
    public static ProfileFrame Unknown { get; } = new("[unknown]");

    /// <summary>Stands for the stacks past <see cref="CpuProfile.MaxStacks"/> in one window: their samples still count.</summary>
    public static ProfileFrame Truncated { get; } = new("[other stacks: window full]");
}

/// <summary>A stack, leaf first, and how many CPU samples landed on it.</summary>
internal sealed record ProfileSample(IReadOnlyList<ProfileFrame> Frames, long Count);

/// <summary>
/// CPU samples of one target aggregated by stack over one window (or several merged).
/// <see cref="Period"/> is the time one sample stands for, measured from the window's own samples.
/// </summary>
internal sealed record CpuProfile(DateTimeOffset Start, TimeSpan Duration, TimeSpan Period, IReadOnlyList<ProfileSample> Samples)
{
    /// <summary>Distinct stacks kept per window; the rest are counted under <see cref="ProfileFrame.Truncated"/>. Bounds a window's memory.</summary>
    public const int MaxStacks = 1000;

    /// <summary>Frames kept per stack (leaf side); deeper root frames are cut.</summary>
    public const int MaxDepth = 64;

    public long TotalSamples => Samples.Sum(s => s.Count);

    /// <summary>Several windows as one profile: stacks added up, from the first start to the last end.</summary>
    public static CpuProfile Merge(IReadOnlyList<CpuProfile> windows)
    {
        if (windows.Count == 1)
        {
            return windows[0];
        }

        var builder = new StackCounter(int.MaxValue);
        foreach (var w in windows)
        {
            foreach (var s in w.Samples)
            {
                builder.Add(s.Frames, s.Count);
            }
        }

        var start = windows.Min(w => w.Start);
        var end = windows.Max(w => w.Start + w.Duration);
        var period = windows.Count == 0 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromTicks((long)windows.Average(w => w.Period.Ticks));
        return new CpuProfile(start, end - start, period, builder.Samples());
    }
}

/// <summary>Adds stacks up by their frames, keeping at most a given number of distinct stacks.</summary>
internal sealed class StackCounter(int maxStacks)
{
    private readonly Dictionary<string, (IReadOnlyList<ProfileFrame> Frames, long Count)> _stacks = new(StringComparer.Ordinal);
    private long _truncated;

    public void Add(IReadOnlyList<ProfileFrame> frames, long count)
    {
        var key = string.Join('\n', frames.Select(f => f.File is null ? f.Function : $"{f.Function}\t{f.File}:{f.Line}"));
        if (_stacks.TryGetValue(key, out var known))
        {
            _stacks[key] = (known.Frames, known.Count + count);
        }
        else if (_stacks.Count < maxStacks)
        {
            _stacks[key] = (frames, count);
        }
        else
        {
            _truncated += count;
        }
    }

    public IReadOnlyList<ProfileSample> Samples()
    {
        var list = _stacks.Values.Select(v => new ProfileSample(v.Frames, v.Count)).ToList();
        if (_truncated > 0)
        {
            list.Add(new ProfileSample([ProfileFrame.Truncated], _truncated));
        }

        return list;
    }
}
