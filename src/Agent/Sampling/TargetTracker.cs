using Agent.Logging;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Follows one target across its lifetime: checks its identity (pid + start time) every tick,
/// re-resolves it with the same selector when it is gone (backing off while nothing matches),
/// counts restarts and turns readings into a <see cref="TargetSnapshot"/>. Reading is
/// <see cref="ProcessReader"/>'s, summing a tree <see cref="ProcessTreeSum"/>'s, the limits
/// cadence <see cref="LimitsCadence"/>'s. Called only from the sampling loop; not thread-safe.
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
    private readonly ProcessTreeSum _tree;
    private readonly LimitsCadence _limits = new();
    private readonly HashSet<string> _deniedWarned = new(StringComparer.Ordinal);

    private ProcessIdentity? _current;
    private ProcessIdentity? _last;
    private string _currentName = string.Empty;
    private long _restarts;
    private int _misses;
    private DateTimeOffset _nextResolve;
    private string? _problem = "not sampled yet";

    private readonly string _noTargetKey;

    public TargetTracker(string name, bool required, TargetSelector selector, ProcessReader reader, bool includeChildren, TimeSpan interval, TimeProvider time, ILogger logger, RepeatGate gate)
    {
        Name = name;
        Required = required;
        _noTargetKey = "no-target:" + name;
        _selector = selector;
        _reader = reader;
        _includeChildren = includeChildren;
        _interval = interval;
        _time = time;
        _logger = logger;
        _gate = gate;
        _tree = new ProcessTreeSum(reader);
    }

    /// <summary>The <c>target</c> label of every series of this target.</summary>
    public string Name { get; }

    /// <summary>Whether <c>/ready</c> fails while this target is absent.</summary>
    public bool Required { get; }

    public string Selector => _selector.Description;

    /// <summary>The comm a discovered (Auto) target follows; null for configured targets.</summary>
    public string? DiscoveredComm => (_selector as DiscoveredSelector)?.Comm;

    /// <summary>The snapshot before the first tick.</summary>
    public TargetSnapshot Initial(DateTimeOffset now) => TargetSnapshot.Initial(Name, Required, _selector.Description, now);

    /// <summary>The process followed now, if any.</summary>
    public ProcessIdentity? Current => _current;

    /// <summary>One tick with a context of its own (a single target; tests and benchmarks).</summary>
    public TargetSnapshot Tick() => Tick(new SelectionContext(_reader.Fs, Environment.ProcessId));

    public TargetSnapshot Tick(SelectionContext context)
    {
        var now = _time.GetUtcNow();
        TargetSample? sample = null;
        if (_current is { } id)
        {
            sample = SampleCurrent(id, context);
            if (sample is null)
            {
                Log.TargetLost(_logger, Name, id.Pid, _currentName, _selector.Description);
                _current = null;
                _misses = 0;
                _nextResolve = now;
            }
        }

        if (_current is null && now >= _nextResolve)
        {
            sample = Resolve(now, context);
        }

        return new TargetSnapshot(Name, Required, sample, _restarts, _selector.Description, sample is null ? _problem : null, _time.GetUtcNow());
    }

    private TargetSample? Resolve(DateTimeOffset now, SelectionContext context)
    {
        var selection = _selector.Select(context);
        if (selection.Pid is { } pid && _reader.ReadStat(pid, out var stat, out var comm) == ProcReadStatus.Ok && stat.IsAlive)
        {
            var id = new ProcessIdentity(pid, stat.StartTimeTicks);
            if (_last is { } previous && previous != id)
            {
                _restarts++;
                Log.TargetRestarted(_logger, Name, previous.Pid, pid, _restarts);
            }

            _current = id;
            _last = id;
            _currentName = comm;
            _tree.Reset();
            _limits.Reset();
            _gate.Reset(_noTargetKey);
            Log.TargetFound(_logger, Name, pid, comm, _selector.Description);
            var sample = SampleCurrent(id, context);
            if (sample is not null)
            {
                return sample;
            }

            _current = null;
        }

        _problem = selection.Problem ?? $"process {selection.Pid} vanished while being selected";
        if (_gate.ShouldLog(_noTargetKey, out var suppressed))
        {
            Log.NoTarget(_logger, Name, _problem, _selector.Description, suppressed);
        }

        // Back off while nothing matches, but never so far that a restarted target is
        // noticed later than 3 intervals after it appears: at most 2 intervals between scans.
        _misses++;
        _nextResolve = now + (_misses < 3 ? _interval : 2 * _interval) - TimeSpan.FromMilliseconds(1);
        return null;
    }

    private TargetSample? SampleCurrent(ProcessIdentity id, SelectionContext context)
    {
        var withLimits = _limits.Due();
        if (_reader.Read(id.Pid, out var root, out var name, withLimits) != ProcReadStatus.Ok
            || root.Stat.StartTimeTicks != id.StartTimeTicks
            || !root.Stat.IsAlive)
        {
            return null;
        }

        _currentName = name;
        if (withLimits)
        {
            _limits.Observe(root.Limits);
        }

        WarnIfDenied(id.Pid, root);
        var system = _reader.System;
        var counters = root.Counters(system);
        var totals = GaugeTotals.Of(root, system);
        if (_includeChildren)
        {
            counters = _tree.Add(id, counters, ref totals, context.Table);
        }

        var ioOk = root.IoStatus == ProcReadStatus.Ok;
        var ctxOk = root.Status.VoluntaryContextSwitches is not null;
        return new TargetSample(
            id,
            name,
            totals.Processes,
            counters.CpuUser,
            counters.CpuSystem,
            totals.ResidentBytes,
            totals.ResidentPeakBytes,
            totals.VirtualBytes,
            totals.SwapBytes,
            totals.Threads,
            totals.OpenFds,
            _limits.MaxFds,
            system.StartTimeSeconds(root.Stat.StartTimeTicks),
            ioOk ? counters.IoRead : null,
            ioOk ? counters.IoWrite : null,
            ctxOk ? counters.Voluntary : null,
            ctxOk ? counters.Involuntary : null,
            counters.MinorFaults,
            counters.MajorFaults);
    }

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
