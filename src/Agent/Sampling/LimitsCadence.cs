using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Limits change only through prlimit(2); re-reading them every 10th tick saves a fifth of a
/// tick's cost (measured in docs/benchmarks.md) for at most 10 intervals of delay. A new target
/// process reads them on its first tick.
/// </summary>
internal sealed class LimitsCadence
{
    public const int Every = 10;

    private int _ticks;

    /// <summary>The soft limit on open files, as last read.</summary>
    public double? MaxFds { get; private set; }

    public void Reset()
    {
        _ticks = 0;
        MaxFds = null;
    }

    /// <summary>True when this tick should read <c>limits</c>; counts the tick.</summary>
    public bool Due() => _ticks++ % Every == 0;

    public void Observe(in ProcLimits limits) => MaxFds = limits.MaxOpenFilesSoft;
}
