using Agent.Configuration;

using System.Collections.Concurrent;

namespace Agent.Profiling;

/// <summary>
/// The kept windows of each target, newest last, for <see cref="ProfilingSettings.Kept"/> (15
/// minutes), at most <see cref="ProfilingSettings.MaxWindows"/> and <see cref="MaxBytesPerTarget"/>
/// per target (oldest dropped first; the newest window is always kept, and a window holds at most
/// <see cref="CpuProfile.MaxWindowBytes"/>). Lost on restart. One writer per target (the loop);
/// readers get an immutable list.
/// </summary>
internal sealed class ProfileStore(ProfilingSettings settings, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<Kept>> _windows = new(StringComparer.Ordinal);

    /// <summary>
    /// The heap one target's kept windows may hold (<see cref="ProfileSize"/>'s estimate). With the
    /// newest window's own bound this keeps a target under 4 MiB measured (ProfileMemoryTests fills a
    /// store with the worst case and weighs it); the test targets' windows (under 30 stacks) hold a
    /// few KiB, so 15 minutes fit.
    /// </summary>
    public const long MaxBytesPerTarget = 3 * 1024 * 1024;

    public void Add(string target, CpuProfile window)
    {
        // Weighed once, here: merged profiles (the page, since=) are never kept, so never weighed.
        var kept = new Kept(window, ProfileSize.Of(window.Samples));
        var cutoff = time.GetUtcNow() - ProfilingSettings.Kept;
        _windows.AddOrUpdate(target, _ => [kept], (_, old) => Keep([.. old.Where(k => k.Window.Start >= cutoff), kept]));
    }

    /// <summary>The newest windows that fit the count and the byte bound, oldest first.</summary>
    private IReadOnlyList<Kept> Keep(List<Kept> windows)
    {
        var first = Math.Max(0, windows.Count - settings.MaxWindows);
        var bytes = windows.Skip(first).Sum(k => k.Bytes);
        while (first < windows.Count - 1 && bytes > MaxBytesPerTarget)
        {
            bytes -= windows[first++].Bytes;
        }

        return windows[first..];
    }

    /// <summary>The windows that started within <paramref name="since"/> of now, oldest first.</summary>
    public IReadOnlyList<CpuProfile> Since(string target, TimeSpan since)
    {
        var cutoff = time.GetUtcNow() - since;
        return _windows.TryGetValue(target, out var all) ? [.. all.Select(k => k.Window).Where(w => w.Start >= cutoff)] : [];
    }

    /// <summary>The newest kept window, if any.</summary>
    public CpuProfile? Latest(string target) =>
        _windows.TryGetValue(target, out var all) && all.Count > 0 ? all[^1].Window : null;

    /// <summary>Forgets targets no longer present.</summary>
    public void Retain(IReadOnlyCollection<string> present)
    {
        foreach (var name in _windows.Keys.Where(k => !present.Contains(k)))
        {
            _windows.TryRemove(name, out _);
        }
    }

    /// <summary>A kept window and the heap it holds.</summary>
    private sealed record Kept(CpuProfile Window, long Bytes);
}
