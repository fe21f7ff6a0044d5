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

    // Created on the first tick with a cgroup read: 900 × 18 bytes, only for targets that have one.
    private Ring<ContainerPoint>? _containers;

    // Writer-only state: the previous tick's CPU total, to turn counters into a share of a core.
    private ProcessIdentity? _identity;
    private double _cpuSeconds;
    private long _atMs;
    private string? _cgroup;
    private long? _cpuWaitMicros, _memoryWaitMicros;
    private long _cgroupAtMs;
    private Containers.ContainerSample? _lastContainer;

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
        // A cgroup is read at its own cadence: a point only when the tick brought a new read.
        var container = snapshot.Container is { } c && !ReferenceEquals(c, _lastContainer) ? Container(c, atMs) : (ContainerPoint?)null;
        _lastContainer = snapshot.Container ?? _lastContainer;
        lock (_lock)
        {
            _ring.Add(atMs, point);
            if (traffic is { } t)
            {
                (_traffic ??= new Ring<TrafficPoint>(window)).Add(atMs, new TrafficPoint((float)t.RequestsPerSecond, (float)t.ErrorShare, (float)t.P95, (float)t.P99));
            }

            if (container is { } cp)
            {
                (_containers ??= new Ring<ContainerPoint>(window)).Add(atMs, cp);
            }
        }
    }

    /// <summary>The cgroup's point: pressure totals become the share of the interval spent waiting.</summary>
    private ContainerPoint Container(Containers.ContainerSample c, long atMs)
    {
        var v = c.Values;
        var same = _cgroup == c.Cgroup && atMs > _cgroupAtMs;
        var elapsedMicros = (atMs - _cgroupAtMs) * 1000.0;
        var cpu = same ? Share(_cpuWaitMicros, v.CpuPressure.SomeMicros, elapsedMicros) : Half.NaN;
        var memory = same ? Share(_memoryWaitMicros, v.MemoryPressure.SomeMicros, elapsedMicros) : Half.NaN;
        _cgroup = c.Cgroup;
        _cgroupAtMs = atMs;
        _cpuWaitMicros = v.CpuPressure.SomeMicros;
        _memoryWaitMicros = v.MemoryPressure.SomeMicros;
        return new ContainerPoint(
            ContainerPoint.KiB(v.WorkingSet),
            v.MemoryUnlimited ? ContainerPoint.Unknown : ContainerPoint.KiB(v.MemoryLimit),
            c.ThrottledRatio is { } r ? (Half)r : Half.NaN,
            cpu,
            memory);
    }

    private static Half Share(long? before, long? now, double elapsedMicros) =>
        before is { } b && now is { } n && n >= b ? (Half)Math.Min(1, (n - b) / elapsedMicros) : Half.NaN;

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

    /// <summary>The cgroup's points; empty for a target whose cgroup was never read.</summary>
    public (long[] Times, ContainerPoint[] Points) CopyContainer()
    {
        lock (_lock)
        {
            return _containers?.Copy() ?? ([], []);
        }
    }
}
