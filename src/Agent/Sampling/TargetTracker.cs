using System.Globalization;
using Agent.Logging;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Follows one target across its lifetime: checks its identity (pid + start time) every tick,
/// re-resolves it with the same selector when it is gone (backing off while nothing matches),
/// tells a continuation from a restart (<see cref="Lineage"/>: only a process from outside the
/// lost target's tree counts one) and turns readings into a <see cref="TargetSnapshot"/>. A fixed
/// pid names one process: once it is gone the target stays down. Reading is
/// <see cref="ProcessReader"/>'s, summing <see cref="ProcessTreeSum"/>'s, the limits cadence
/// <see cref="LimitsCadence"/>'s. Called only from the sampling loop; not thread-safe.
/// </summary>
internal sealed class TargetTracker
{
    /// <summary>How many of the other matches a second-match message names.</summary>
    private const int OthersNamed = 5;

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
    private Lineage? _lineage;
    private DateTimeOffset _lastSeenAt;
    private ProcessIdentity? _ambiguityLogged;
    private bool _reuseLogged;
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
                SamplingLog.TargetLost(_logger, Name, id.Pid, _currentName, _selector.Description);
                _current = null;
                _misses = 0;
                _nextResolve = now;
            }
            else
            {
                _lastSeenAt = now;
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
        if (_selector.NamesOneProcess && _last is { } gone)
        {
            _problem = GoneForGood(gone);
            return Missed(now);
        }

        var selection = _selector.Select(context);
        var (pid, continues) = Choose(selection, now, context);
        if (pid is { } p && _reader.ReadStat(p, out var stat, out var comm) == ProcReadStatus.Ok && stat.IsAlive)
        {
            var id = new ProcessIdentity(p, stat.StartTimeTicks);
            if (_lineage is null || continues is null)
            {
                if (_lineage is not null)
                {
                    _restarts++;
                    SamplingLog.TargetRestarted(_logger, Name, _last?.Pid ?? 0, p, _restarts);
                }

                _lineage = new Lineage(new ProcessEntry(p, stat.ParentPid, comm, stat.StartTimeTicks));
                _tree.Reset();
                SamplingLog.TargetFound(_logger, Name, p, comm, _selector.Description);
            }
            else
            {
                SamplingLog.TargetContinued(_logger, Name, p, comm, continues, _last?.Pid ?? 0);
            }

            _current = id;
            _last = id;
            _currentName = comm;
            _limits.Reset();
            _gate.Reset(_noTargetKey);
            LogOtherMatches(selection, id, comm, continues, context.Scanned ? context.Table : null);
            var sample = SampleCurrent(id, context);
            if (sample is not null)
            {
                _lastSeenAt = now;
                return sample;
            }

            _current = null;
        }

        _problem = selection.Problem ?? $"process {pid} vanished while being selected";
        return Missed(now);
    }

    /// <summary>
    /// The process to follow and, when a target was followed before, why it continues that one
    /// (null: a restart). Of the matches, the first that continues the lost target wins: its
    /// orphans are followed, not counted, until a process from outside takes its place.
    /// </summary>
    private (int? Pid, string? Continues) Choose(Selection selection, DateTimeOffset now, SelectionContext context)
    {
        if (_lineage is null || selection.Pid is not { } pick)
        {
            return (selection.Pid, null);
        }

        var lastSeen = _lastSeenAt == default ? null : context.System.BootTicksAgo(now - _lastSeenAt);
        IReadOnlyList<ProcessEntry> candidates = selection.Matches.Count > 0 ? selection.Matches : context.Table.Find(pick) is { } one ? [one] : [];
        foreach (var c in candidates)
        {
            if (_lineage.Continues(c, context.Table, lastSeen) is { } why)
            {
                return (c.Pid, why);
            }
        }

        return (pick, null);
    }

    private TargetSample? Missed(DateTimeOffset now)
    {
        if (_gate.ShouldLog(_noTargetKey, out var suppressed))
        {
            SamplingLog.NoTarget(_logger, Name, _problem!, _selector.Description, suppressed);
        }

        // Back off while nothing matches, but never so far that a restarted target is
        // noticed later than 3 intervals after it appears: at most 2 intervals between scans.
        _misses++;
        _nextResolve = now + (_misses < 3 ? _interval : 2 * _interval) - TimeSpan.FromMilliseconds(1);
        return null;
    }

    /// <summary>Why a target that names one process is down for good, and whether its pid went to another process.</summary>
    private string GoneForGood(ProcessIdentity gone)
    {
        var what = string.Create(CultureInfo.InvariantCulture, $"process {gone.Pid} ({_currentName}) exited; Target:Pid names that process, not its pid");
        if (_reader.ReadStat(gone.Pid, out var stat, out var comm) != ProcReadStatus.Ok || !stat.IsAlive)
        {
            return what + ": the target stays down (point the agent at the new process)";
        }

        if (!_reuseLogged)
        {
            _reuseLogged = true;
            SamplingLog.PidReused(_logger, Name, gone.Pid, comm, _currentName);
        }

        return what + string.Create(CultureInfo.InvariantCulture, $": pid {gone.Pid} is now another process ({comm}), not followed");
    }

    /// <summary>
    /// Says once per followed process that processes outside its tree match too (a master's own
    /// workers are expected), which one was chosen and why.
    /// </summary>
    private void LogOtherMatches(Selection selection, ProcessIdentity chosen, string comm, string? continues, ProcessTable? table)
    {
        if (selection.Matches.Count < 2 || _ambiguityLogged == chosen || table is null)
        {
            return;
        }

        var others = selection.Matches.Where(m => m.Pid != chosen.Pid && !table.Ancestry(m.ParentPid).Contains(chosen.Pid)).ToList();
        if (others.Count == 0)
        {
            return;
        }

        _ambiguityLogged = chosen;
        var why = continues is not null ? "it continues the lost target: " + continues : "the oldest of the matches whose parent does not match";
        var named = string.Join(", ", others.Take(OthersNamed).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Pid} ({m.Comm})")))
            + (others.Count > OthersNamed ? string.Create(CultureInfo.InvariantCulture, $" and {others.Count - OthersNamed} more") : string.Empty);
        SamplingLog.OtherMatches(_logger, Name, others.Count + 1, _selector.Description, chosen.Pid, comm, why, named);
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
        var totals = GaugeTotals.Of(root, system);
        var counters = _tree.Add(id, root, ref totals, context, _includeChildren);
        if (_includeChildren)
        {
            _lineage!.Observe(_tree.Members, context.Table);
        }

        var ioOk = root.IoStatus == ProcReadStatus.Ok;
        var ctxOk = root.Status.VoluntaryContextSwitches is not null;
        var (kernel, seen) = counters;
        return new TargetSample(
            id,
            name,
            totals.Processes,
            system.TicksToSeconds(kernel.UserTicks),
            system.TicksToSeconds(kernel.SystemTicks),
            totals.ResidentBytes,
            totals.ResidentPeakBytes,
            totals.VirtualBytes,
            totals.SwapBytes,
            totals.Threads,
            totals.OpenFds,
            _limits.MaxFds,
            system.StartTimeSeconds(root.Stat.StartTimeTicks),
            ioOk ? seen.IoRead : null,
            ioOk ? seen.IoWrite : null,
            ctxOk ? seen.Voluntary : null,
            ctxOk ? seen.Involuntary : null,
            (long)Math.Min(kernel.MinorFaults, long.MaxValue),
            (long)Math.Min(kernel.MajorFaults, long.MaxValue),
            system.StartTimeSeconds(_lineage!.Anchor.StartTimeTicks));
    }

    private void WarnIfDenied(int pid, in ProcessReading r)
    {
        if (r.IoStatus == ProcReadStatus.Denied && _deniedWarned.Add("io"))
        {
            SamplingLog.FileDenied(_logger, "/proc/<pid>/io", pid, "target_process_io_*");
        }

        if (r.FdStatus == ProcReadStatus.Denied && _deniedWarned.Add("fd"))
        {
            SamplingLog.FileDenied(_logger, "/proc/<pid>/fd", pid, "target_process_open_fds");
        }
    }
}
