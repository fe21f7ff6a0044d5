using System.Text;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// A point-in-time listing of every process in this PID namespace, for selectors and tree walks.
/// Built at most once per tick, and only when a selector or a tree sum needs it; never per scrape.
/// Zombies are listed apart: they hold no resources and are no one's target, but until their
/// parent reaps them their CPU is theirs, not yet in the parent's c-fields.
/// </summary>
internal sealed class ProcessTable
{
    private readonly ProcFs _fs;
    private readonly Dictionary<int, ProcessEntry> _byPid;
    private readonly Dictionary<int, ProcessEntry> _all;
    private ILookup<int, ProcessEntry>? _children;

    private ProcessTable(ProcFs fs, Dictionary<int, ProcessEntry> all)
    {
        _fs = fs;
        _all = all;
        _byPid = all.Values.Where(p => !p.IsZombie).ToDictionary(p => p.Pid);
    }

    /// <summary>The live processes (a process whose leader thread exited included).</summary>
    public IReadOnlyCollection<ProcessEntry> Processes => _byPid.Values;

    public ProcFs Fs => _fs;

    public static ProcessTable Scan(ProcFs fs)
    {
        var byPid = new Dictionary<int, ProcessEntry>();
        Span<byte> buffer = stackalloc byte[1024];
        foreach (var pid in fs.EnumeratePids())
        {
            if (fs.Process(pid).ReadStat(buffer, out var stat, out var comm) == ProcReadStatus.Ok && (stat.IsAlive || stat.IsZombie))
            {
                byPid[pid] = new ProcessEntry(pid, stat.ParentPid, Encoding.UTF8.GetString(comm), stat.StartTimeTicks, stat.IsKernelThread, stat.IsZombie, stat.LeaderExited);
            }
        }

        return new ProcessTable(fs, byPid);
    }

    /// <summary>A live process.</summary>
    public ProcessEntry? Find(int pid) => _byPid.GetValueOrDefault(pid);

    /// <summary>True while this process (this pid and start time) has not been reaped, zombie or not.</summary>
    public bool Holds(ProcessIdentity id) => _all.TryGetValue(id.Pid, out var p) && p.StartTimeTicks == id.StartTimeTicks;

    /// <summary>The direct children of a process, zombies included.</summary>
    private IEnumerable<ProcessEntry> Children(int pid) => (_children ??= _all.Values.ToLookup(p => p.ParentPid))[pid];

    /// <summary>The live process and all its live descendants (breadth first, root first).</summary>
    public List<ProcessEntry> Tree(int rootPid) => Walk(rootPid, zombies: false);

    /// <summary>
    /// <see cref="Tree"/> with the zombies among the descendants: a finished child's use is still
    /// its own until its parent reaps it, then in the parent's c-fields.
    /// </summary>
    public List<ProcessEntry> TreeWithZombies(int rootPid) => Walk(rootPid, zombies: true);

    private List<ProcessEntry> Walk(int rootPid, bool zombies)
    {
        var result = new List<ProcessEntry>();
        if (!_byPid.TryGetValue(rootPid, out var root))
        {
            return result;
        }

        var queue = new Queue<ProcessEntry>();
        queue.Enqueue(root);
        var seen = new HashSet<int>();
        while (queue.Count > 0)
        {
            var p = queue.Dequeue();
            if (!seen.Add(p.Pid))
            {
                continue;
            }

            result.Add(p);
            foreach (var child in Children(p.Pid))
            {
                if (zombies || !child.IsZombie)
                {
                    queue.Enqueue(child);
                }
            }
        }

        return result;
    }

    /// <summary>Pids from <paramref name="pid"/> up to the namespace root, inclusive.</summary>
    public HashSet<int> Ancestry(int pid)
    {
        var result = new HashSet<int>();
        while (pid > 0 && result.Add(pid) && _byPid.TryGetValue(pid, out var entry))
        {
            pid = entry.ParentPid;
        }

        return result;
    }

    /// <summary>
    /// The command line, arguments joined by single spaces; empty for kernel threads and zombies.
    /// A process whose leader thread exited has it in its live threads' entries.
    /// </summary>
    public string CommandLine(int pid)
    {
        var process = _fs.Process(pid);
        var line = process.CommandLine();
        return line.Length == 0 && Find(pid) is { LeaderExited: true } && process.LiveThread(stackalloc byte[1024]) is { } thread ? thread.CommandLine() : line;
    }

    /// <summary>The executable's file name (the <c>exe</c> link, else argv[0]).</summary>
    public string ExecutableName(int pid) => _fs.Process(pid).ExecutableName();
}
