using System.Globalization;
using System.Text;

namespace Agent.Procfs;

/// <summary>
/// The files of one process under a <see cref="ProcFs"/>: <c>&lt;root&gt;/&lt;pid&gt;/…</c>. Paths are
/// built once per accessor, so a caller that keeps the accessor of a followed process allocates
/// nothing per read but the file handle. Reads go into a caller-owned buffer; every method reports
/// <see cref="ProcReadStatus"/> instead of throwing (a process can vanish between any two reads).
/// </summary>
internal sealed class ProcPid
{
    private readonly ProcFs _fs;
    private string? _stat, _status, _io, _limits, _fd;

    internal ProcPid(ProcFs fs, int pid)
        : this(fs, pid, pid.ToString(CultureInfo.InvariantCulture))
    {
    }

    /// <param name="entry">The directory's name under the root: the pid, or <c>self</c>.</param>
    internal ProcPid(ProcFs fs, int pid, string entry)
    {
        _fs = fs;
        Pid = pid;
        Directory = Path.Join(fs.Root, entry);
    }

    public int Pid { get; }

    /// <summary><c>&lt;root&gt;/&lt;pid&gt;</c>, for parsers in this folder that read more of it.</summary>
    public string Directory { get; }

    /// <summary><c>fd/</c>: one symbolic link per open file descriptor.</summary>
    public string FdDirectory => _fd ??= Path.Join(Directory, "fd");

    /// <summary><c>task/</c>: one directory per thread.</summary>
    public string TaskDirectory => Path.Join(Directory, "task");

    /// <summary>
    /// The <c>task/&lt;tid&gt;</c> entry of a thread that has not exited, read like a process: for a
    /// process whose leader thread exited, whose own <c>stat</c> shows no memory, whose
    /// <c>status</c> no Vm lines and whose <c>fd/</c> is empty although its other threads share
    /// them. Null when no such thread is left.
    /// </summary>
    public ProcPid? LiveThread(Span<byte> buffer)
    {
        IEnumerable<string> tasks;
        try
        {
            tasks = System.IO.Directory.EnumerateDirectories(TaskDirectory);
            foreach (var task in tasks)
            {
                var name = Path.GetFileName(task);
                var thread = new ProcPid(_fs, Pid, Path.Join(Path.GetFileName(Directory), "task", name));
                if (thread.ReadStat(buffer, out var stat, out _) == ProcReadStatus.Ok && stat.State is not ('Z' or 'X' or 'x'))
                {
                    return thread;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // gone meanwhile
        }

        return null;
    }

    /// <summary>When the process started (boot time plus <c>stat</c>'s starttime; <c>btime</c> has whole seconds); null when gone.</summary>
    public DateTimeOffset? StartedAt()
    {
        Span<byte> buffer = stackalloc byte[4096];
        return ReadStat(buffer, out var stat, out _) == ProcReadStatus.Ok
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(_fs.System.StartTimeSeconds(stat.StartTimeTicks) * 1000))
            : null;
    }

    /// <summary>True while the process's directory exists.</summary>
    public bool Exists() => System.IO.Directory.Exists(Directory);

    /// <summary><c>smaps_rollup</c> (Linux 4.14+): PSS, anonymous and file-backed memory; denied like <c>io</c>.</summary>
    public ProcReadStatus ReadSmapsRollup(Span<byte> buffer, out ProcSmapsRollup rollup)
    {
        var status = ProcFileReader.Read(Path.Join(Directory, "smaps_rollup"), buffer, out var n);
        rollup = status == ProcReadStatus.Ok ? ProcSmapsRollup.Parse(buffer[..n]) : default;
        return status;
    }

    /// <summary><c>stat</c>. A line that does not parse counts as a vanished process, never as a crash.</summary>
    public ProcReadStatus ReadStat(Span<byte> buffer, out ProcStat stat, out ReadOnlySpan<byte> comm)
    {
        stat = default;
        comm = default;
        var status = ProcFileReader.Read(_stat ??= Path.Join(Directory, "stat"), buffer, out var n);
        if (status != ProcReadStatus.Ok)
        {
            return status;
        }

        return ProcStat.TryParse(buffer[..n], out stat, out comm) ? ProcReadStatus.Ok : ProcReadStatus.Gone;
    }

    /// <summary><c>status</c> (memory peaks, swap, context switches, uid, NSpid).</summary>
    public ProcReadStatus ReadStatus(Span<byte> buffer, out ProcStatus parsed)
    {
        var status = ProcFileReader.Read(_status ??= Path.Join(Directory, "status"), buffer, out var n);
        parsed = status == ProcReadStatus.Ok ? ProcStatus.Parse(buffer[..n]) : default;
        return status;
    }

    /// <summary><c>io</c>: denied for another user's process without CAP_SYS_PTRACE.</summary>
    public ProcReadStatus ReadIo(Span<byte> buffer, out ProcIo io)
    {
        var status = ProcFileReader.Read(_io ??= Path.Join(Directory, "io"), buffer, out var n);
        io = status == ProcReadStatus.Ok ? ProcIo.Parse(buffer[..n]) : default;
        return status;
    }

    /// <summary><c>limits</c>.</summary>
    public ProcReadStatus ReadLimits(Span<byte> buffer, out ProcLimits limits)
    {
        var status = ProcFileReader.Read(_limits ??= Path.Join(Directory, "limits"), buffer, out var n);
        limits = status == ProcReadStatus.Ok ? ProcLimits.Parse(buffer[..n]) : default;
        return status;
    }

    /// <summary><c>cgroup</c>: the process's cgroup in each hierarchy, as the reader's cgroup namespace names it.</summary>
    /// <param name="length">The file's length in <paramref name="buffer"/>: its text tells a moved process.</param>
    public ProcReadStatus ReadCgroup(Span<byte> buffer, out ProcCgroup cgroup, out int length)
    {
        var status = ProcFileReader.Read(Path.Join(Directory, "cgroup"), buffer, out var n);
        length = status == ProcReadStatus.Ok ? n : 0;
        cgroup = ProcCgroup.Parse(status == ProcReadStatus.Ok ? buffer[..n] : default);
        return status;
    }

    /// <summary><c>mountinfo</c>: the cgroup mounts of the process's mount namespace.</summary>
    public ProcReadStatus ReadMountInfo(Span<byte> buffer, out ProcMountInfo mounts)
    {
        var status = ProcFileReader.Read(Path.Join(Directory, "mountinfo"), buffer, out var n);
        mounts = ProcMountInfo.Parse(status == ProcReadStatus.Ok ? buffer[..n] : default);
        return status;
    }

    /// <summary><c>net/tcp</c> and <c>net/tcp6</c> of the process's network namespace (in a pod, the pod's).</summary>
    public void ReadTcpSockets(List<TcpSocket> into) => ProcNetTcp.ReadAll(Path.Join(Directory, "net"), into);

    /// <summary>The number of entries of <c>fd/</c>.</summary>
    public ProcReadStatus CountFds(out long count) => ProcFdCount.Count(FdDirectory, _fs.IsKernelProcfs, out count);

    /// <summary>The command line, arguments joined by single spaces; empty for kernel threads and zombies.</summary>
    public string CommandLine() => string.Join(' ', Arguments());

    /// <summary>The arguments (argv) as the process left them; empty for kernel threads and zombies.</summary>
    public string[] Arguments()
    {
        try
        {
            var raw = File.ReadAllBytes(Path.Join(Directory, "cmdline"));
            var text = Encoding.UTF8.GetString(raw).TrimEnd('\0');
            return text.Length == 0 ? [] : text.Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The executable's file name: from the <c>exe</c> link when readable (same user or
    /// CAP_SYS_PTRACE), else from the first command-line argument.
    /// </summary>
    public string ExecutableName()
    {
        try
        {
            var target = new FileInfo(Path.Join(Directory, "exe")).LinkTarget;
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

        var first = CommandLine().Split(' ', 2)[0];
        return Path.GetFileName(first);
    }

    /// <summary>
    /// A path as the process itself sees it, through its <c>root</c> link (its mount namespace:
    /// another container's <c>/tmp</c>, for example). Needs the same rights as <c>fd/</c>.
    /// </summary>
    public string PathInRoot(string absolutePath) => Path.Join(Directory, "root", absolutePath.TrimStart('/'));

    /// <summary>
    /// The files mapped into the process (<c>maps</c>, last column: shared libraries and, for .NET,
    /// every managed assembly it loaded), each once; empty unless <paramref name="status"/> is Ok
    /// (Denied: another user's process without CAP_SYS_PTRACE; Gone: exited, or no such file).
    /// </summary>
    public HashSet<string> MappedFiles(out ProcReadStatus status)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Join(Directory, "maps"));
        }
        catch (UnauthorizedAccessException)
        {
            status = ProcReadStatus.Denied;
            return [];
        }
        catch (IOException)
        {
            status = ProcReadStatus.Gone;
            return [];
        }

        status = ProcReadStatus.Ok;
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            // address perms offset dev inode pathname: the path starts at the first '/' after the inode.
            var slash = line.IndexOf(" /", StringComparison.Ordinal);
            if (slash > 0)
            {
                files.Add(line[(slash + 1)..].TrimEnd());
            }
        }

        return files;
    }

    /// <summary>
    /// The inodes of the sockets the process holds: <c>fd/&lt;n&gt;</c> links of the form
    /// <c>socket:[inode]</c>. An fd closed while this runs is skipped.
    /// </summary>
    public ProcReadStatus ReadSocketInodes(HashSet<ulong> into)
    {
        IEnumerable<string> entries;
        try
        {
            entries = System.IO.Directory.EnumerateFileSystemEntries(FdDirectory);
            foreach (var entry in entries)
            {
                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (IOException)
                {
                    continue;
                }

                if (target is not null && ProcFdLink.Classify(Encoding.UTF8.GetBytes(target)) is { Kind: FdKind.Socket, Inode: var inode })
                {
                    into.Add(inode);
                }
            }

            return ProcReadStatus.Ok;
        }
        catch (UnauthorizedAccessException)
        {
            return ProcReadStatus.Denied;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException)
        {
            return ProcReadStatus.Gone;
        }
    }
}
