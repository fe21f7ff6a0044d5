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

    /// <summary>
    /// What one window may hold on the heap (<see cref="ProfileSize"/>'s estimate); stacks past it
    /// are counted under <see cref="ProfileFrame.Truncated"/>. 1000 stacks of 64 distinct long
    /// names would otherwise hold ~12 MiB.
    /// </summary>
    public const long MaxWindowBytes = 512 * 1024;

    public long TotalSamples => Samples.Sum(s => s.Count);

    /// <summary>Several windows as one profile: stacks added up, from the first start to the last end.</summary>
    public static CpuProfile Merge(IReadOnlyList<CpuProfile> windows)
    {
        if (windows.Count == 1)
        {
            return windows[0];
        }

        var builder = new StackCounter(int.MaxValue, long.MaxValue);
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

/// <summary>
/// The heap a profile holds, from the 64-bit runtime's object layouts: each sample (16-byte header,
/// a reference, a count) and its frame array (24-byte header, a reference per frame); each distinct
/// frame object (header, two references, the line) and its strings (22 bytes plus UTF-16, 8-aligned).
/// Lets windows and the store be bounded in bytes rather than in stacks whose size varies 100-fold.
/// </summary>
internal static class ProfileSize
{
    public static long Stack(int frames) => 32 + 24 + (8L * frames);

    public static long Frame(ProfileFrame frame) => 40 + Text(frame.Function) + (frame.File is null ? 0 : Text(frame.File));

    public static long Of(IReadOnlyList<ProfileSample> samples)
    {
        var seen = new HashSet<ProfileFrame>(ReferenceEqualityComparer.Instance);
        long bytes = 0;
        foreach (var s in samples)
        {
            bytes += Stack(s.Frames.Count);
            foreach (var f in s.Frames)
            {
                if (seen.Add(f))
                {
                    bytes += Frame(f);
                }
            }
        }

        return bytes;
    }

    private static long Text(string s) => (22 + (2L * s.Length) + 7) & ~7L;
}

/// <summary>
/// Adds stacks up by their frames, keeping at most a given number of distinct stacks and bytes
/// (<see cref="ProfileSize"/>); the rest are counted under <see cref="ProfileFrame.Truncated"/>.
/// Equal frames are kept once, so the bytes counted are the bytes held.
/// </summary>
internal sealed class StackCounter(int maxStacks = CpuProfile.MaxStacks, long maxBytes = CpuProfile.MaxWindowBytes)
{
    private readonly Dictionary<string, (ProfileFrame[] Frames, long Count)> _stacks = new(StringComparer.Ordinal);
    private readonly Dictionary<ProfileFrame, ProfileFrame> _frames = [];
    private long _truncated;

    /// <summary>The heap the stacks kept so far hold (estimated).</summary>
    public long Bytes { get; private set; }

    public void Add(IReadOnlyList<ProfileFrame> frames, long count)
    {
        var key = string.Join('\n', frames.Select(f => f.File is null ? f.Function : $"{f.Function}\t{f.File}:{f.Line}"));
        if (_stacks.TryGetValue(key, out var known))
        {
            _stacks[key] = (known.Frames, known.Count + count);
            return;
        }

        var cost = ProfileSize.Stack(frames.Count) + frames.Distinct().Where(f => !_frames.ContainsKey(f)).Sum(ProfileSize.Frame);
        if (_stacks.Count >= maxStacks || Bytes + cost > maxBytes)
        {
            _truncated += count;
            return;
        }

        var kept = new ProfileFrame[frames.Count];
        for (var i = 0; i < kept.Length; i++)
        {
            kept[i] = _frames.TryGetValue(frames[i], out var same) ? same : _frames[frames[i]] = frames[i];
        }

        _stacks[key] = (kept, count);
        Bytes += cost;
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
