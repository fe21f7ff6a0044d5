using System.Text;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// A point-in-time listing of every live process in this PID namespace, for selectors and tree
/// walks. Built at most once per tick, and only when a selector or a tree sum needs it; never
/// per scrape. Zombies are left out: they hold no resources and are no one's target.
/// </summary>
internal sealed class ProcessTable
{
    private readonly ProcFs _fs;
    private readonly Dictionary<int, ProcessEntry> _byPid;
    private ILookup<int, ProcessEntry>? _children;

    private ProcessTable(ProcFs fs, Dictionary<int, ProcessEntry> byPid)
    {
        _fs = fs;
        _byPid = byPid;
    }

    public IReadOnlyCollection<ProcessEntry> Processes => _byPid.Values;

    public ProcFs Fs => _fs;

    public static ProcessTable Scan(ProcFs fs)
    {
        var byPid = new Dictionary<int, ProcessEntry>();
        Span<byte> buffer = stackalloc byte[1024];
        foreach (var pid in fs.EnumeratePids())
        {
            if (fs.Process(pid).ReadStat(buffer, out var stat, out var comm) == ProcReadStatus.Ok && stat.IsAlive)
            {
                byPid[pid] = new ProcessEntry(pid, stat.ParentPid, Encoding.UTF8.GetString(comm), stat.StartTimeTicks, stat.IsKernelThread);
            }
        }

        return new ProcessTable(fs, byPid);
    }

    public ProcessEntry? Find(int pid) => _byPid.GetValueOrDefault(pid);

    /// <summary>The direct children of a process.</summary>
    public IEnumerable<ProcessEntry> Children(int pid) => (_children ??= _byPid.Values.ToLookup(p => p.ParentPid))[pid];

    /// <summary>The process and all its descendants (breadth first, root first).</summary>
    public List<ProcessEntry> Tree(int rootPid)
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
                queue.Enqueue(child);
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

    /// <summary>The command line, arguments joined by single spaces; empty for kernel threads and zombies.</summary>
    public string CommandLine(int pid) => _fs.Process(pid).CommandLine();

    /// <summary>The executable's file name (the <c>exe</c> link, else argv[0]).</summary>
    public string ExecutableName(int pid) => _fs.Process(pid).ExecutableName();
}
