using Agent.Logging;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Follows one target across its lifetime: checks its identity (pid + start time) every tick,
/// re-resolves it with the same selector when it is gone (backing off while nothing matches),
/// counts restarts and turns readings into a <see cref="TargetSnapshot"/>.
/// Called only from the sampling loop; not thread-safe.
/// </summary>
internal sealed class TargetTracker
{
    private readonly TargetSelector _selector;
    private readonly ProcessReader _reader;
    private readonly bool _includeChildren;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RepeatGate _gate;
    private readonly GroupCounters _group = new();
    private readonly HashSet<string> _deniedWarned = new(StringComparer.Ordinal);

    private ProcessIdentity? _current;
    private ProcessIdentity? _last;
    private string _currentName = string.Empty;
    private long _restarts;
    private int _misses;
    private DateTimeOffset _nextResolve;
    private string? _problem = "not sampled yet";
    private int _ticksSinceLimits;
    private double? _maxFds;

    /// <summary>
    /// Limits change only through prlimit(2); re-reading them every 10th tick saves a fifth of a
    /// tick's cost (measured in docs/benchmarks.md) for at most 10 intervals of delay.
    /// </summary>
    private const int LimitsEvery = 10;

    public TargetTracker(TargetSelector selector, ProcessReader reader, bool includeChildren, TimeSpan interval, TimeProvider time, ILogger logger, RepeatGate gate)
    {
        _selector = selector;
        _reader = reader;
        _includeChildren = includeChildren;
        _interval = interval;
        _time = time;
        _logger = logger;
        _gate = gate;
    }

    public string Selector => _selector.Description;

    public TargetSnapshot Tick()
    {
        var now = _time.GetUtcNow();
        TargetSample? sample = null;
        if (_current is { } id)
        {
            sample = SampleCurrent(id);
            if (sample is null)
            {
                Log.TargetLost(_logger, id.Pid, _currentName, _selector.Description);
                _current = null;
                _misses = 0;
                _nextResolve = now;
            }
        }

        if (_current is null && now >= _nextResolve)
        {
            sample = Resolve(now);
        }

        return new TargetSnapshot(sample, _restarts, _selector.Description, sample is null ? _problem : null, _time.GetUtcNow());
    }

    private TargetSample? Resolve(DateTimeOffset now)
    {
        ProcessTable? table = null;
        var selection = _selector.Select(() => table ??= ProcessTable.Scan(_reader.System.ProcRoot));
        if (selection.Pid is { } pid && _reader.ReadStat(pid, out var stat, out var comm) == ProcReadStatus.Ok && IsAlive(stat))
        {
            var id = new ProcessIdentity(pid, stat.StartTimeTicks);
            if (_last is { } previous && previous != id)
            {
                _restarts++;
                Log.TargetRestarted(_logger, previous.Pid, pid, _restarts);
            }

            _current = id;
            _last = id;
            _currentName = comm;
            _group.Reset();
            _ticksSinceLimits = 0;
            _gate.Reset("no-target");
            Log.TargetFound(_logger, pid, comm, _selector.Description);
            var sample = SampleCurrent(id);
            if (sample is not null)
            {
                return sample;
            }

            _current = null;
        }

        _problem = selection.Problem ?? $"process {selection.Pid} vanished while being selected";
        if (_gate.ShouldLog("no-target", out var suppressed))
        {
            Log.NoTarget(_logger, _problem, _selector.Description, suppressed);
        }

        // Back off while nothing matches, but never so far that a restarted target is
        // noticed later than 3 intervals after it appears: at most 2 intervals between scans.
        _misses++;
        _nextResolve = now + (_misses < 3 ? _interval : 2 * _interval) - TimeSpan.FromMilliseconds(1);
        return null;
    }

    private static bool IsAlive(in ProcStat stat) => stat.State is not ('Z' or 'X' or 'x');

    private TargetSample? SampleCurrent(ProcessIdentity id)
    {
        var withLimits = _ticksSinceLimits++ % LimitsEvery == 0;
        if (_reader.Read(id.Pid, out var root, out var name, withLimits) != ProcReadStatus.Ok
            || root.Stat.StartTimeTicks != id.StartTimeTicks
            || !IsAlive(root.Stat))
        {
            return null;
        }

        _currentName = name;
        if (withLimits)
        {
            _maxFds = root.Limits.MaxOpenFilesSoft;
        }

        WarnIfDenied(id.Pid, root);
        var system = _reader.System;
        var counters = Counters(root, system);
        long rss = root.Stat.ResidentPages * system.PageSize;
        long? peak = root.Status.ResidentPeakBytes, swap = root.Status.SwapBytes;
        var vsize = (long)Math.Min(root.Stat.VirtualBytes, long.MaxValue);
        var threads = root.Stat.Threads;
        long? fds = root.FdStatus == ProcReadStatus.Ok ? root.OpenFds : null;
        var ioOk = root.IoStatus == ProcReadStatus.Ok;
        var ctxOk = root.Status.VoluntaryContextSwitches is not null;
        var count = 1;

        if (_includeChildren)
        {
            _group.Begin();
            _group.Observe(id, counters);
            var table = ProcessTable.Scan(system.ProcRoot);
            foreach (var child in table.Tree(id.Pid).Skip(1))
            {
                // Children are read into a separate pass; a child gone mid-tick is skipped.
                if (_reader.Read(child.Pid, out var r, out _, withLimits: false) != ProcReadStatus.Ok || !IsAlive(r.Stat))
                {
                    continue;
                }

                count++;
                _group.Observe(new ProcessIdentity(child.Pid, r.Stat.StartTimeTicks), Counters(r, system));
                rss += r.Stat.ResidentPages * system.PageSize;
                peak += r.Status.ResidentPeakBytes;
                swap += r.Status.SwapBytes;
                vsize += (long)Math.Min(r.Stat.VirtualBytes, long.MaxValue);
                threads += r.Stat.Threads;
                fds = r.FdStatus == ProcReadStatus.Ok ? fds + r.OpenFds : fds;
            }

            counters = _group.Total();
        }

        return new TargetSample(
            id,
            name,
            count,
            counters.CpuUser,
            counters.CpuSystem,
            rss,
            peak,
            vsize,
            swap,
            threads,
            fds,
            _maxFds,
            system.StartTimeSeconds(root.Stat.StartTimeTicks),
            ioOk ? counters.IoRead : null,
            ioOk ? counters.IoWrite : null,
            ctxOk ? counters.Voluntary : null,
            ctxOk ? counters.Involuntary : null,
            counters.MinorFaults,
            counters.MajorFaults);
    }

    private static CounterValues Counters(in ProcessReading r, ProcSystem system) => new(
        system.TicksToSeconds(r.Stat.UserTicks),
        system.TicksToSeconds(r.Stat.SystemTicks),
        (long)Math.Min(r.Io.ReadBytes ?? 0, long.MaxValue),
        (long)Math.Min(r.Io.WriteBytes ?? 0, long.MaxValue),
        r.Status.VoluntaryContextSwitches ?? 0,
        r.Status.InvoluntaryContextSwitches ?? 0,
        (long)Math.Min(r.Stat.MinorFaults, long.MaxValue),
        (long)Math.Min(r.Stat.MajorFaults, long.MaxValue));

    private void WarnIfDenied(int pid, in ProcessReading r)
    {
        if (r.IoStatus == ProcReadStatus.Denied && _deniedWarned.Add("io"))
        {
            Log.FileDenied(_logger, "/proc/<pid>/io", pid, "target_process_io_*");
        }

        if (r.FdStatus == ProcReadStatus.Denied && _deniedWarned.Add("fd"))
        {
            Log.FileDenied(_logger, "/proc/<pid>/fd", pid, "target_process_open_fds");
        }
    }
}
