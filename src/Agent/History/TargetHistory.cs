using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.History;

/// <summary>
/// One target's last 15 minutes. Written by the sampling loop once per tick, read by the page and
/// /api/status. A lock rather than a published snapshot: a copy of the ring per tick would
/// allocate ~20 KB a second to spare readers a lock they take a few times a minute, and an
/// uncontended lock costs tens of nanoseconds.
/// </summary>
internal sealed class TargetHistory(string name, HistoryWindow window, int order)
{
    private readonly Lock _lock = new();
    private readonly Ring<TargetPoint> _ring = new(window);

    // Created on the first tick with traffic: a target that serves none pays nothing for it.
    private Ring<TrafficPoint>? _traffic;

    // Writer-only state: the previous tick's CPU total, to turn counters into a share of a core.
    private ProcessIdentity? _identity;
    private double _cpuSeconds;
    private long _atMs;

    private TargetSnapshot? _latest;

    public string Name { get; } = name;

    /// <summary>Position among the targets (first seen first).</summary>
    public int Order { get; } = order;

    /// <summary>The snapshot of the latest tick recorded; null before the first.</summary>
    public TargetSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Appends the tick's values (no point while no target is present).</summary>
    public void Record(TargetSnapshot snapshot, DotnetRuntimeSnapshot? runtime) => Record(snapshot, runtime, null);

    /// <summary>Appends the tick's values and, when the target has traffic, its last interval.</summary>
    public void Record(TargetSnapshot snapshot, DotnetRuntimeSnapshot? runtime, Traffic.TrafficInterval? traffic)
    {
        Volatile.Write(ref _latest, snapshot);
        var sample = snapshot.Sample;
        var at = snapshot.TakenAt;
        if (sample is null)
        {
            _identity = null;
            return;
        }

        var atMs = at.ToUnixTimeMilliseconds();
        var cpu = sample.CpuUserSeconds + sample.CpuSystemSeconds;
        var share = float.NaN;
        if (_identity == sample.Identity && atMs > _atMs)
        {
            share = (float)Math.Max(0, (cpu - _cpuSeconds) * 1000 / (atMs - _atMs));
        }

        _identity = sample.Identity;
        _cpuSeconds = cpu;
        _atMs = atMs;

        // Runtime counters describe the target only while they come from its pid.
        var dotnet = runtime is not null && runtime.Pid == sample.Identity.Pid ? runtime : null;
        var point = new TargetPoint(
            share,
            (uint)Math.Clamp(sample.ResidentBytes / 1024, 0, uint.MaxValue),
            (int)Math.Clamp(sample.Threads, 0, int.MaxValue),
            sample.OpenFds is { } fds ? (int)Math.Clamp(fds, 0, int.MaxValue) : -1,
            dotnet?.HeapSizeBytes is { } heap ? (float)heap : float.NaN,
            dotnet?.PauseRatio is { } pause ? (float)pause : float.NaN);
        lock (_lock)
        {
            _ring.Add(atMs, point);
            if (traffic is { } t)
            {
                (_traffic ??= new Ring<TrafficPoint>(window)).Add(atMs, new TrafficPoint((float)t.RequestsPerSecond, (float)t.ErrorShare, (float)t.P95, (float)t.P99));
            }
        }
    }

    public (long[] Times, TargetPoint[] Points) Copy()
    {
        lock (_lock)
        {
            return _ring.Copy();
        }
    }

    /// <summary>The traffic points (oldest first) and their times; empty while the target had none.</summary>
    public (long[] Times, TrafficPoint[] Points) CopyTraffic()
    {
        lock (_lock)
        {
            return _traffic?.Copy() ?? ([], []);
        }
    }
}
