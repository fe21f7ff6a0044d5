using Agent.Configuration;

using System.Collections.Concurrent;

namespace Agent.Profiling;

/// <summary>
/// The kept windows of each target, newest last, for <see cref="ProfilingSettings.Kept"/> (15
/// minutes) and at most <see cref="ProfilingSettings.MaxWindows"/> per target. Bound per target:
/// MaxWindows × <see cref="CpuProfile.MaxStacks"/> stacks of at most <see cref="CpuProfile.MaxDepth"/>
/// frames, the frames shared within a window. Lost on restart. One writer per target (the loop);
/// readers get an immutable list.
/// </summary>
internal sealed class ProfileStore(ProfilingSettings settings, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<CpuProfile>> _windows = new(StringComparer.Ordinal);

    public void Add(string target, CpuProfile window)
    {
        var cutoff = time.GetUtcNow() - ProfilingSettings.Kept;
        _windows.AddOrUpdate(
            target,
            _ => [window],
            (_, old) => [.. old.Where(w => w.Start >= cutoff).Append(window).TakeLast(settings.MaxWindows)]);
    }

    /// <summary>The windows that started within <paramref name="since"/> of now, oldest first.</summary>
    public IReadOnlyList<CpuProfile> Since(string target, TimeSpan since)
    {
        var cutoff = time.GetUtcNow() - since;
        return _windows.TryGetValue(target, out var all) ? [.. all.Where(w => w.Start >= cutoff)] : [];
    }

    public IReadOnlyList<CpuProfile> Latest(string target) =>
        _windows.TryGetValue(target, out var all) && all.Count > 0 ? [all[^1]] : [];

    /// <summary>Forgets targets no longer present.</summary>
    public void Retain(IReadOnlyCollection<string> present)
    {
        foreach (var name in _windows.Keys.Where(k => !present.Contains(k)))
        {
            _windows.TryRemove(name, out _);
        }
    }
}
