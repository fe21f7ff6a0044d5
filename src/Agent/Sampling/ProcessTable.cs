using System.Text;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// A point-in-time listing of every process in this PID namespace, for selectors and tree
/// walks. Built only while resolving a target or aggregating children, never per scrape.
/// </summary>
internal sealed class ProcessTable
{
    private readonly string _procRoot;
    private readonly Dictionary<int, ProcessEntry> _byPid;

    private ProcessTable(string procRoot, Dictionary<int, ProcessEntry> byPid)
    {
        _procRoot = procRoot;
        _byPid = byPid;
    }

    public IReadOnlyCollection<ProcessEntry> Processes => _byPid.Values;

    public static ProcessTable Scan(string procRoot)
    {
        var byPid = new Dictionary<int, ProcessEntry>();
        Span<byte> buffer = stackalloc byte[1024];
        foreach (var pid in EnumeratePids(procRoot))
        {
            if (ProcFileReader.Read(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat"), buffer, out var n) == ProcReadStatus.Ok
                && ProcStat.TryParse(buffer[..n], out var stat, out var comm))
            {
                byPid[pid] = new ProcessEntry(pid, stat.ParentPid, Encoding.UTF8.GetString(comm), stat.StartTimeTicks);
            }
        }

        return new ProcessTable(procRoot, byPid);
    }

    public ProcessEntry? Find(int pid) => _byPid.GetValueOrDefault(pid);

    /// <summary>The process and all its descendants (breadth first, root first).</summary>
    public List<ProcessEntry> Tree(int rootPid)
    {
        var result = new List<ProcessEntry>();
        if (!_byPid.TryGetValue(rootPid, out var root))
        {
            return result;
        }

        var children = _byPid.Values.ToLookup(p => p.ParentPid);
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
            foreach (var child in children[p.Pid])
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
    public string CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllBytes(Path.Combine(_procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cmdline"));
            var text = Encoding.UTF8.GetString(raw).TrimEnd('\0');
            return text.Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>
    /// The executable's file name: from the <c>exe</c> link when readable (same user or
    /// CAP_SYS_PTRACE), else from the first command-line argument.
    /// </summary>
    public string ExecutableName(int pid)
    {
        try
        {
            var target = new FileInfo(Path.Combine(_procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "exe")).LinkTarget;
            if (!string.IsNullOrEmpty(target))
            {
                // A replaced binary shows as "/path/app (deleted)".
                const string deleted = " (deleted)";
                if (target.EndsWith(deleted, StringComparison.Ordinal))
                {
                    target = target[..^deleted.Length];
                }

                return Path.GetFileName(target);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // fall through to argv[0]
        }

        var cmdline = CommandLine(pid);
        var first = cmdline.Split(' ', 2)[0];
        return Path.GetFileName(first);
    }

    private static IEnumerable<int> EnumeratePids(string procRoot)
    {
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(procRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var dir in dirs)
        {
            if (int.TryParse(Path.GetFileName(dir.AsSpan()), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                yield return pid;
            }
        }
    }
}
