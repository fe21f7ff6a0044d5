using System.Globalization;
using System.Runtime.InteropServices;

namespace Agent.Procfs;

/// <summary>
/// One procfs mount (<c>Sampling:ProcRoot</c>: <c>/proc</c>, a host's procfs at <c>/host/proc</c>,
/// or a fixture tree in tests). Every path under it is built here or in <see cref="ProcPid"/>, so
/// the rest of the agent never joins a <c>/proc</c> path and a test can point the whole agent at
/// a fake tree.
/// </summary>
internal sealed partial class ProcFs
{
    /// <summary>statfs(2) f_type of procfs (linux/magic.h).</summary>
    private const long ProcSuperMagic = 0x9fa0;

    public ProcFs(string root)
    {
        Root = root;
        IsKernelProcfs = FileSystemType(root) == ProcSuperMagic;
    }

    public string Root { get; }

    /// <summary>
    /// This mount's machine-wide constants (clock ticks, page size, boot time), read on first use
    /// and then shared: a process's start time needs the boot time, which never changes.
    /// </summary>
    public ProcSystem System => _system ??= new ProcSystem(this);

    private ProcSystem? _system;

    /// <summary>
    /// True when <see cref="Root"/> is a real procfs. Only there does <c>stat()</c> of a
    /// <c>fd/</c> directory report the count of entries as its size; on a fixture tree the size
    /// is the file system's block size and the entries must be counted.
    /// </summary>
    public bool IsKernelProcfs { get; }

    /// <summary>The accessor of one process's files. Cheap; cache it while the process is followed.</summary>
    public ProcPid Process(int pid) => new(this, pid);

    /// <summary>The reading process itself (<c>&lt;root&gt;/self</c>).</summary>
    public ProcPid Self() => new(this, Environment.ProcessId, "self");

    /// <summary>
    /// The agent's pid as this procfs numbers it: <c>&lt;root&gt;/self</c> resolves in the mount's own
    /// PID namespace (a host's procfs at <c>/host/proc</c> gives the host's pid). A tree without
    /// that link (a fixture) gives the agent's own pid.
    /// </summary>
    public int OwnPid()
    {
        try
        {
            var target = new FileInfo(Path.Join(Root, "self")).LinkTarget;
            if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                return pid;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // no such link
        }

        return Environment.ProcessId;
    }

    /// <summary><c>&lt;root&gt;/stat</c>: machine-wide counters and <c>btime</c>.</summary>
    public string SystemStatPath => Path.Join(Root, "stat");

    /// <summary><c>&lt;root&gt;/uptime</c>: seconds since boot on the clock of every process's <c>starttime</c>.</summary>
    public string UptimePath => Path.Join(Root, "uptime");

    /// <summary>
    /// The inodes of the TCP sockets (v4 and v6) listening on <paramref name="port"/> in the
    /// reader's network namespace (<c>&lt;root&gt;/net/tcp</c>, <c>tcp6</c>: in a pod, the pod's).
    /// </summary>
    public HashSet<ulong> ListeningInodes(int port)
    {
        // Grows with the number of connections; read only while resolving a target.
        var sockets = new List<TcpSocket>();
        ProcNetTcp.ReadAll(Path.Join(Root, "net"), sockets);
        var result = new HashSet<ulong>();
        foreach (var socket in sockets)
        {
            if (socket.State == TcpState.Listen && socket.Local.Port == port && socket.Inode != 0)
            {
                result.Add(socket.Inode);
            }
        }

        return result;
    }

    /// <summary>
    /// The inode of the IPv4 UDP socket bound to <paramref name="port"/> on any local address, in the
    /// reader's network namespace (<c>&lt;root&gt;/net/udp</c>: the same columns as <c>net/tcp</c>); null
    /// if none (or unreadable). A StatsD sender's source port names its socket this way.
    /// </summary>
    public ulong? UdpInode(int port)
    {
        byte[] text;
        try
        {
            text = File.ReadAllBytes(Path.Join(Root, "net", "udp"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var sockets = new List<TcpSocket>();
        ProcNetTcp.Parse(text, sockets);
        foreach (var socket in sockets)
        {
            if (socket.Local.Port == port && socket.Inode != 0)
            {
                return socket.Inode;
            }
        }

        return null;
    }

    /// <summary>Every numeric entry of the root: the pids visible in this PID namespace.</summary>
    public IEnumerable<int> EnumeratePids()
    {
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var dir in dirs)
        {
            if (int.TryParse(Path.GetFileName(dir.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                yield return pid;
            }
        }
    }

    private static unsafe long FileSystemType(string path)
    {
        // struct statfs is 120 bytes on x86_64 and arm64; f_type is its first word on both.
        var buffer = stackalloc byte[256];
        return StatFs(path, buffer) == 0 ? *(long*)buffer : 0;
    }

    [LibraryImport("libc", EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int StatFs(string path, byte* buffer);
}
