using Agent.Procfs;

namespace Agent.Containers;

/// <summary>
/// One target's cgroup across its processes: locates it when a new process appears (and again if
/// the process moves), reads it every tick, keeps the OOM counters monotonic and attributes each
/// OOM kill. A kill is the target's when its process ends in the interval the kill was counted
/// (or the next one: the counter moves before the victim has exited); while the process lives on
/// it was another process of the cgroup. Called by the sampling loop on every tick, which notices
/// a process ending; the files are read at the tracker's own cadence (the first tick of a process,
/// then every <c>Sampling:CgroupInterval</c>), and the watcher's thread updates the OOM counters
/// between reads, under the same lock.
/// </summary>
internal sealed partial class ContainerTracker : IDisposable
{
    /// <summary>How often the process's <c>/proc/&lt;pid&gt;/cgroup</c> is compared, in ticks: a moved process is followed within this many.</summary>
    public const int RecheckTicks = 10;

    private const int KillPollMilliseconds = 5;
    private const int KillPollAttempts = 60;

    private readonly string _target;
    private readonly ProcFs _fs;
    private readonly OomWatcher? _watcher;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly byte[] _watchBuffer = new byte[4096];

    private (int Pid, ulong Start)? _identity;
    private string _comm = string.Empty;
    private CgroupPaths? _paths;
    private CgroupHandles? _handles;
    private IDisposable? _watch;
    private byte[] _cgroupFile = [];
    private int _ticksSinceCheck;

    private MonotonicTotal _oomKill, _oom, _high, _max;
    private long _killsJudged;
    private bool _baselined;
    private (long Kills, DateTimeOffset At, long? Usage, long? Limit, string Cgroup)? _pending;
    private (int Pid, string Comm, string Cgroup, long? Usage, long? Limit)? _ended;
    private bool _endedByOom;
    private long _restartsSeen;
    private long _killedRestarts;
    private OomKill? _last;
    private long _sequence;
    private long? _lastUsage, _lastLimit;
    private DateTimeOffset? _signalAt;
    private long? _periods, _throttled;

    private readonly string _root;

    private readonly TimeSpan _readEvery;
    private DateTimeOffset _nextRead;
    private ContainerSample? _sample;
    private OomState _oomState = OomState.None;

    /// <param name="readEvery">How often the cgroup's files are read (the first tick at or after it); zero: every tick.</param>
    public ContainerTracker(string target, ProcFs fs, OomWatcher? watcher, TimeProvider time, ILogger logger, string fileSystemRoot = "/", TimeSpan readEvery = default)
    {
        _root = fileSystemRoot;
        _readEvery = readEvery;
        _target = target;
        _fs = fs;
        _watcher = watcher;
        _time = time;
        _logger = logger;
    }

    /// <summary>The cgroup located for the current process, if any (for tests and <c>agent check</c>).</summary>
    public CgroupPaths? Paths => _paths;

    /// <summary>The OOM kill total as last read, by a tick or by the watcher (tests).</summary>
    public long? OomKillsSeen
    {
        get
        {
            lock (_lock)
            {
                return _oomKill.Total;
            }
        }
    }

    /// <summary>Why OOM kills are not watched between ticks, or null when they are.</summary>
    public string? WatchProblem { get; private set; }

    /// <param name="pid">The target's (root) process, null while absent.</param>
    /// <param name="startTicks">Its start time: with the pid, its identity.</param>
    /// <param name="comm">Its name, for the messages.</param>
    /// <param name="restarts">The target's restart count so far.</param>
    /// <param name="now">The tick's time.</param>
    /// <param name="buffer">The sampling loop's read buffer.</param>
    public (ContainerSample? Sample, OomState Oom) Tick(int? pid, ulong startTicks, string? comm, long restarts, DateTimeOffset now, Span<byte> buffer)
    {
        lock (_lock)
        {
            ContainerSample? sample = null;
            var ended = false;
            if (pid is { } p)
            {
                if (_identity != (p, startTicks))
                {
                    if (_identity is { } old)
                    {
                        ended = true;
                        Settle(buffer);
                        _ended = (old.Pid, _comm, _paths?.CgroupPath ?? "?", _lastUsage, _lastLimit);
                    }

                    Switch(p, startTicks, buffer);
                }
                else if (++_ticksSinceCheck >= RecheckTicks)
                {
                    _ticksSinceCheck = 0;
                    if (Moved(p, buffer))
                    {
                        Settle(buffer);
                        Switch(p, startTicks, buffer);
                    }
                }

                _comm = comm ?? _comm;
                if (_paths is { } paths && now >= _nextRead)
                {
                    // Less than a millisecond early still counts: ticks do not land exactly on time.
                    _nextRead = now + _readEvery - TimeSpan.FromMilliseconds(1);
                    var values = CgroupReader.Read(_handles ??= new CgroupHandles(paths), buffer);
                    Observe(paths, values.MemoryEvents);
                    WarnMissing(paths, values.Missing);
                    _sample = Sample(paths, values);
                    _lastUsage = values.MemoryUsage ?? _lastUsage;
                    _lastLimit = values.MemoryUnlimited ? null : values.MemoryLimit ?? _lastLimit;
                }

                sample = _paths is null ? null : _sample;
            }
            else if (_identity is { } gone)
            {
                ended = true;
                Settle(buffer);
                _ended = (gone.Pid, _comm, _paths?.CgroupPath ?? "?", _lastUsage, _lastLimit);
                _identity = null;
                _handles?.Dispose(); // the watch stays: a late signal of the kill still counts
                _handles = null;
            }

            Judge(pid, ended, now);
            if (restarts > _restartsSeen)
            {
                if (_endedByOom)
                {
                    _killedRestarts++;
                    _endedByOom = false;
                }

                _restartsSeen = restarts;
            }

            if (_oomState.Kills != _oomKill.Total || _oomState.KilledRestarts != _killedRestarts || !ReferenceEquals(_oomState.Last, _last))
            {
                _oomState = new OomState(_oomKill.Total, _killedRestarts, _last); // a new object only when something changed
            }

            return (sample, _oomState);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _watch?.Dispose();
            _watch = null;
            _handles?.Dispose();
            _handles = null;
        }
    }

    /// <summary>Turns the kills counted since the last judgement into attributions.</summary>
    private void Judge(int? pid, bool ended, DateTimeOffset now)
    {
        if (_oomKill.Total is not { } total)
        {
            return; // no memory cgroup read yet
        }

        if (!_baselined)
        {
            // Kills from before the agent followed this target are in the total, not attributed now.
            _baselined = true;
            _killsJudged = total;
        }

        var fresh = total - _killsJudged;
        _killsJudged = total;
        var at = _signalAt ?? now;
        _signalAt = null;
        if (ended && (fresh > 0 || _pending is not null))
        {
            // The target's process ended in the interval the kill was counted in (or the one after).
            var kills = fresh + (_pending?.Kills ?? 0);
            var (when, usage, limit) = _pending is { } p ? (p.At, p.Usage, p.Limit) : (at, _ended!.Value.Usage, _ended.Value.Limit);
            _pending = null;
            _endedByOom = true;
            Attribute(true, _ended!.Value.Pid, _ended.Value.Comm, kills, when, usage, limit, _ended.Value.Cgroup);
            return;
        }

        if (pid is { } alive)
        {
            if (_pending is { } p)
            {
                _pending = null;
                Attribute(false, alive, _comm, p.Kills, p.At, p.Usage, p.Limit, p.Cgroup); // the target lived on: another process was killed
            }

            if (fresh > 0)
            {
                _pending = (fresh, at, _lastUsage, _lastLimit, _paths?.CgroupPath ?? "?");
            }
        }
        else if (fresh > 0 && _ended is { } e)
        {
            // Counted after the target was already gone (a late read of its old cgroup): its cause.
            _endedByOom = true;
            Attribute(true, e.Pid, e.Comm, fresh, at, e.Usage, e.Limit, e.Cgroup);
        }
    }

    private void Attribute(bool targetKilled, int pid, string comm, long kills, DateTimeOffset at, long? usage, long? limit, string cgroup)
    {
        _last = new OomKill(++_sequence, at, targetKilled, pid, comm, kills, limit, usage, cgroup);
        if (targetKilled)
        {
            ContainersLog.TargetOomKilled(_logger, _target, _last.Describe());
        }
        else
        {
            ContainersLog.ProcessOomKilled(_logger, _target, _last.Describe());
        }
    }

    /// <summary>Follows a new process: locates its cgroup and watches it.</summary>
    private void Switch(int pid, ulong startTicks, Span<byte> buffer)
    {
        _identity = (pid, startTicks);
        _nextRead = DateTimeOffset.MinValue; // a new process: read its cgroup on this tick
        _sample = null;
        _ticksSinceCheck = 0;
        _periods = _throttled = null;
        var process = _fs.Process(pid);
        _cgroupFile = process.ReadCgroup(buffer, out _, out var n) == ProcReadStatus.Ok ? buffer[..n].ToArray() : [];
        var paths = CgroupLocator.Locate(process, _fs.Self(), _root, out var problem);
        if (paths is null)
        {
            WarnOnce("locate", () => ContainersLog.CgroupNotFound(_logger, _target, problem ?? "unknown"));
            SetPaths(null);
            return;
        }

        foreach (var p in paths.Problems)
        {
            WarnOnce(p, () => ContainersLog.ControllerNotReachable(_logger, _target, p));
        }

        if (_paths?.CgroupPath != paths.CgroupPath || _paths?.Memory?.Path != paths.Memory?.Path)
        {
            SetPaths(paths);
            ContainersLog.CgroupFound(_logger, _target, paths.CgroupPath, paths.Version, Describe(paths.Route), WatchProblem is null ? "watched between ticks" : "read each tick only: " + WatchProblem);
        }
        else
        {
            _handles?.Dispose();
            _handles = null;
            _paths = paths;
        }
    }

    private void SetPaths(CgroupPaths? paths)
    {
        _watch?.Dispose();
        _watch = null;
        _handles?.Dispose();
        _handles = null;
        _paths = paths;
        WatchProblem = "no memory cgroup";
        if (paths is not null && _watcher is not null)
        {
            _watch = _watcher.Watch(paths, () => Signalled(paths), out var why);
            WatchProblem = why;
        }
    }

    /// <summary>True when the process's cgroup file changed since it was located (it was moved).</summary>
    private bool Moved(int pid, Span<byte> buffer) =>
        _fs.Process(pid).ReadCgroup(buffer, out _, out var n) == ProcReadStatus.Ok && !buffer[..n].SequenceEqual(_cgroupFile);

    /// <summary>A last read of the old cgroup's counters, if it still exists, before it is left.</summary>
    private void Settle(Span<byte> buffer)
    {
        if (_paths is { } paths)
        {
            Observe(paths, CgroupReader.ReadMemoryEvents(paths, buffer));
        }
    }

    /// <summary>The kernel signalled a memory event: read the counters now, before the cgroup can disappear.</summary>
    private void Signalled(CgroupPaths paths)
    {
        // The kill is counted just after the OOM is signalled (v1 notifies before the killer runs):
        // wait briefly for it, outside the lock, and stop as soon as the file is gone.
        long? before;
        lock (_lock)
        {
            before = _oomKill.Last;
        }

        CgroupMemoryEvents events = default;
        long? usage = null;
        for (var i = 0; i < KillPollAttempts; i++)
        {
            events = CgroupReader.ReadMemoryEvents(paths, _watchBuffer);
            if (events.OomKill is null || events.OomKill != before)
            {
                break;
            }

            usage ??= ReadUsage(paths);
            Thread.Sleep(KillPollMilliseconds);
        }

        usage ??= ReadUsage(paths);
        lock (_lock)
        {
            if (events.OomKill is { } k && k != before)
            {
                _signalAt = _time.GetUtcNow();
                _lastUsage = usage ?? _lastUsage;
            }

            Observe(paths, events);
        }
    }

    private long? ReadUsage(CgroupPaths paths) =>
        paths.File(CgroupFile.MemoryUsage) is { } file && ProcFileReader.Read(file, _watchBuffer, out var n) == ProcReadStatus.Ok
            ? CgroupFiles.ParseValue(_watchBuffer.AsSpan(0, n))
            : null;

    private void Observe(CgroupPaths paths, CgroupMemoryEvents events)
    {
        var source = paths.Memory?.Path ?? paths.CgroupPath;
        _oomKill.Observe(source, events.OomKill);
        _oom.Observe(source, events.Oom);
        _high.Observe(source, events.High);
        _max.Observe(source, events.Max);
    }

    private ContainerSample Sample(CgroupPaths paths, in CgroupValues v)
    {
        double? ratio = null;
        if (v.CpuMax.Cores is not null && v.CpuStat is { Periods: { } periods, ThrottledPeriods: { } throttled })
        {
            if (_periods is { } p0 && _throttled is { } t0 && periods >= p0 && throttled >= t0)
            {
                ratio = periods == p0 ? 0 : Math.Min(1, (double)(throttled - t0) / (periods - p0));
            }

            _periods = periods;
            _throttled = throttled;
        }

        return new ContainerSample(paths.CgroupPath, paths.Version, paths.Route ?? CgroupRoute.AgentMount, v, _oomKill.Total, _oom.Total, _high.Total, _max.Total, ratio);
    }

    private void WarnMissing(CgroupPaths paths, CgroupFile missing)
    {
        if (missing == CgroupFile.None)
        {
            return;
        }

        foreach (var file in CgroupFileNames.All)
        {
            if ((missing & file) != 0 && paths.DirectoryOf(file) is { } dir && Directory.Exists(dir.Path))
            {
                var name = CgroupFileNames.Of(file, dir.Version);
                WarnOnce("file:" + name, () => ContainersLog.FileMissing(_logger, _target, name, dir.Path, CgroupFileNames.Affects(file)));
            }
        }
    }

    private void WarnOnce(string key, Action log)
    {
        if (_warned.Add(key))
        {
            log();
        }
    }

    internal static string Describe(CgroupRoute? route) => route switch
    {
        CgroupRoute.TargetRoot => "the target's root (/proc/<pid>/root/sys/fs/cgroup)",
        _ => "the agent's cgroup mount",
    };

}
