namespace Agent.Sampling;

/// <summary>
/// Every target of the agent, ticked together: one <see cref="SelectionContext"/> per tick, so the
/// process table is scanned at most once however many targets re-resolve, sum trees or are
/// discovered. Configured targets come first; <see cref="AutoDiscovery"/> adds the rest.
/// Called only from the sampling loop; not thread-safe.
/// </summary>
internal sealed class TargetSet
{
    private readonly List<TargetTracker> _trackers;
    private readonly AutoDiscovery? _auto;
    private readonly ProcessReader _reader;
    private readonly int _selfPid;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, int> _claimed = [];

    public TargetSet(IEnumerable<TargetTracker> configured, AutoDiscovery? auto, ProcessReader reader, int selfPid, TimeProvider time)
    {
        _trackers = [.. configured];
        _auto = auto;
        _reader = reader;
        _selfPid = selfPid;
        _time = time;
    }

    public IReadOnlyList<TargetTracker> Trackers => _trackers;

    /// <summary>True while the set can still grow (Auto).</summary>
    public bool Discovers => _auto is not null;

    /// <summary>True after the last tick if it scanned the process table (for tests and benchmarks).</summary>
    public bool LastTickScanned { get; private set; }

    /// <summary>The name Auto reports while it has discovered nothing.</summary>
    public const string NothingDiscovered = "auto";

    public SamplingSnapshot Initial(DateTimeOffset now) => new([.. _trackers.Select(t => t.Initial(now)).OrderBy(t => t.Name, StringComparer.Ordinal)], now);

    public SamplingSnapshot Tick()
    {
        _claimed.Clear();
        foreach (var t in _trackers)
        {
            Claim(t.Current, +1);
        }

        var context = new SelectionContext(_reader.Fs, _selfPid, pid => _claimed.GetValueOrDefault(pid) > 0);
        var snapshots = new List<TargetSnapshot>(_trackers.Count);
        foreach (var t in _trackers)
        {
            snapshots.Add(TickOne(t, context));
        }

        if (_auto is not null && _auto.Due())
        {
            foreach (var t in _auto.Discover(context, _trackers))
            {
                _trackers.Add(t);
                snapshots.Add(TickOne(t, context));
            }
        }

        if (_auto is not null && _trackers.Count == 0)
        {
            // Nothing discovered yet: say so as an absent, required target rather than an empty list
            // that /ready would read as "nothing missing".
            snapshots.Add(new TargetSnapshot(NothingDiscovered, true, null, 0, "auto", "no process other than the agent in this PID namespace (is shareProcessNamespace set?)", _time.GetUtcNow()));
        }

        LastTickScanned = context.Scanned;
        _reader.EndTick();
        snapshots.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new SamplingSnapshot(snapshots, _time.GetUtcNow());
    }

    private TargetSnapshot TickOne(TargetTracker t, SelectionContext context)
    {
        Claim(t.Current, -1);
        var snapshot = t.Tick(context);
        Claim(t.Current, +1);
        return snapshot;
    }

    private void Claim(ProcessIdentity? id, int delta)
    {
        if (id is { Pid: var pid })
        {
            _claimed[pid] = _claimed.GetValueOrDefault(pid) + delta;
        }
    }
}
