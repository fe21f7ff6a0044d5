using Agent.Procfs;
using Agent.Sampling;

namespace Agent.Traffic;

/// <summary>
/// Which target a StatsD datagram from <c>127.0.0.1:&lt;port&gt;</c> belongs to: the target whose process
/// tree holds the sending socket (its inode from <c>net/udp</c>, found among the <c>fd/</c> links of the
/// tree: gunicorn's master and workers share one socket), else the only gunicorn target (when
/// <c>fd/</c> cannot be read: another user without CAP_SYS_PTRACE), else none. Answers are cached per
/// port (30 s; "none" only until the next sampling tick: a target found since may be the sender's) and
/// at most <see cref="ResolutionsPerSecond"/> lookups run a second, so a flood from ever-new ports costs
/// a bounded amount of /proc reading and memory.
/// </summary>
internal sealed class SenderAttribution(ProcFs procfs, TargetSnapshotStore targets, TimeProvider time)
{
    public const int ResolutionsPerSecond = 5;
    private const int MaxCached = 256;
    private static readonly TimeSpan Found = TimeSpan.FromSeconds(30);

    private readonly Dictionary<int, (string? Target, DateTimeOffset Until, SamplingSnapshot Seen)> _cache = [];
    private readonly Dictionary<ProcessIdentity, bool> _gunicorn = [];
    private DateTimeOffset _window;
    private int _resolutions;

    /// <summary>The target of a sender, or null (not attributable now). Called by the receiving thread only.</summary>
    public string? TargetOf(int port)
    {
        var now = time.GetUtcNow();
        var current = targets.Current;
        if (_cache.TryGetValue(port, out var cached) && cached.Until > now
            && (cached.Target is null ? ReferenceEquals(cached.Seen, current) : current.Find(cached.Target)?.Sample is not null))
        {
            return cached.Target;
        }

        if (now - _window >= TimeSpan.FromSeconds(1))
        {
            _window = now;
            _resolutions = 0;
        }

        if (++_resolutions > ResolutionsPerSecond)
        {
            return null;
        }

        var target = Resolve(port);
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[port] = (target, now + Found, current);
        return target;
    }

    private string? Resolve(int port)
    {
        var present = targets.Current.Targets.Where(t => t.Sample is not null).ToList();
        if (present.Count == 0)
        {
            return null;
        }

        if (procfs.UdpInode(port) is { } inode)
        {
            var table = ProcessTable.Scan(procfs);
            var inodes = new HashSet<ulong>();
            foreach (var t in present)
            {
                foreach (var member in table.Tree(t.Sample!.Identity.Pid))
                {
                    inodes.Clear();
                    if (procfs.Process(member.Pid).ReadSocketInodes(inodes) == ProcReadStatus.Ok && inodes.Contains(inode))
                    {
                        return t.Name;
                    }
                }
            }
        }

        var gunicorn = present.Where(IsGunicorn).ToList();
        return gunicorn.Count == 1 ? gunicorn[0].Name : null;
    }

    /// <summary>A gunicorn master: its comm or its command line says so (Debian's runs as <c>python3 /usr/bin/gunicorn …</c>).</summary>
    public bool IsGunicorn(TargetSnapshot t)
    {
        var sample = t.Sample!;
        if (!_gunicorn.TryGetValue(sample.Identity, out var yes))
        {
            yes = sample.Name.StartsWith("gunicorn", StringComparison.Ordinal)
                || procfs.Process(sample.Identity.Pid).CommandLine().Contains("gunicorn", StringComparison.Ordinal);
            if (_gunicorn.Count >= MaxCached)
            {
                _gunicorn.Clear();
            }

            _gunicorn[sample.Identity] = yes;
        }

        return yes;
    }
}
