using System.Diagnostics;
using Agent.Procfs;

namespace Agent.Diagnostics.Snapshot;

/// <summary>
/// Reads a <see cref="ProcessSnapshot"/> of a target from /proc. Remembers each target's thread
/// CPU ticks from the previous snapshot, so "top by CPU" is about the recent past, not the
/// process's whole life. Bounded: at most <see cref="MaxThreads"/> threads and
/// <see cref="MaxFds"/> descriptors are listed.
/// </summary>
internal sealed class ProcessSnapshotReader(ProcSystem system, TimeProvider time)
{
    public const int MaxThreads = 10_000;
    public const int MaxFds = 100_000;
    private const int TopThreads = 10;
    private const int TopFdTargets = 20;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PreviousThreads> _previous = new(StringComparer.Ordinal);

    public ProcessSnapshot? Read(DiagnosticTarget target)
    {
        var started = Stopwatch.GetTimestamp();
        var takenUtc = time.GetUtcNow();
        var process = system.Fs.Process(target.Identity.Pid);
        var pidDirectory = process.Directory;
        if (!SameProcess(process, target))
        {
            return null;
        }

        var buffer = new byte[16 * 1024];
        SnapshotMemory? memory = null;
        string? memoryProblem = null;
        var status = process.ReadSmapsRollup(buffer, out var r);
        if (status == ProcReadStatus.Ok)
        {
            memory = new SnapshotMemory(r.Rss, r.Pss, r.Anonymous, r.PssFile, r.PssShmem, r.Swap, r.PssAnon, r.SwapPss);
        }
        else
        {
            memoryProblem = Problem("smaps_rollup", status);
        }

        var (threads, threadsProblem) = ReadThreads(pidDirectory, target, takenUtc);
        var (fds, fdsProblem) = ReadFds(process);

        SnapshotLimits? limits = null;
        if (process.ReadLimits(buffer, out var l) == ProcReadStatus.Ok)
        {
            limits = new SnapshotLimits(l.MaxOpenFilesSoft, l.MaxOpenFilesHard);
        }

        var cgroup = CgroupMemoryReader.Read(process, system.Fs.Self(), "/", out var cgroupProblem);
        if (!SameProcess(process, target))
        {
            return null; // the pid now belongs to another process: nothing read can be trusted
        }

        return new ProcessSnapshot(
            target.Name, target.Identity.Pid, target.ProcessName, takenUtc, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            memory, memoryProblem, threads, threadsProblem, fds, fdsProblem, limits, cgroup, cgroupProblem);
    }

    private (SnapshotThreads?, string?) ReadThreads(string pidDirectory, DiagnosticTarget target, DateTimeOffset now)
    {
        var list = new List<ProcThread>();
        var status = ProcThreads.Read(pidDirectory, list, MaxThreads, out var truncated);
        if (status != ProcReadStatus.Ok)
        {
            return (null, Problem("task/", status));
        }

        PreviousThreads? previous;
        lock (_lock)
        {
            _previous.TryGetValue(target.Name, out previous);
            if (previous is not null && previous.Identity != target.Identity)
            {
                previous = null; // restarted: the old ticks belong to another process
            }

            _previous[target.Name] = new PreviousThreads(target.Identity, now, list.ToDictionary(t => t.Tid, t => t.TotalTicks));
        }

        var items = list.Select(t =>
        {
            double? delta = previous is null ? null
                : system.TicksToSeconds(previous.Ticks.TryGetValue(t.Tid, out var before) && before <= t.TotalTicks ? t.TotalTicks - before : t.TotalTicks);
            return new SnapshotThread(t.Tid, t.Name, t.State.ToString(), system.TicksToSeconds(t.TotalTicks), delta);
        }).ToList();
        var top = items.OrderByDescending(t => t.CpuSecondsDelta ?? t.CpuSeconds).ThenBy(t => t.Tid).Take(TopThreads).ToList();
        double? interval = previous is null ? null : (now - previous.TakenUtc).TotalSeconds;
        return (new SnapshotThreads(items.Count, truncated, interval, top, items), null);
    }

    private static (SnapshotFds?, string?) ReadFds(ProcPid process)
    {
        var fds = new List<ProcFd>();
        var status = ProcFds.Read(process.Directory, fds, MaxFds, out var truncated);
        if (status != ProcReadStatus.Ok)
        {
            return (null, Problem("fd/", status));
        }

        int socket = 0, file = 0, pipe = 0, anon = 0, other = 0;
        foreach (var fd in fds)
        {
            switch (fd.Kind)
            {
                case FdKind.Socket: socket++; break;
                case FdKind.File: file++; break;
                case FdKind.Pipe: pipe++; break;
                case FdKind.AnonInode: anon++; break;
                default: other++; break;
            }
        }

        var tcp = socket > 0 ? TcpByInode(process) : [];
        var top = fds
            .GroupBy(fd => (fd.Kind, Target: fd.Kind == FdKind.Socket && tcp.TryGetValue(fd.Inode, out var s) ? Describe(s) : fd.Target))
            .Select(g => new SnapshotFdTarget(g.Key.Target, g.Key.Kind, g.Count()))
            .OrderByDescending(t => t.Count).ThenBy(t => t.Target, StringComparer.Ordinal)
            .Take(TopFdTargets)
            .ToList();
        return (new SnapshotFds(fds.Count, truncated, new SnapshotFdTypes(socket, file, pipe, anon, other), top), null);
    }

    /// <summary>The TCP sockets of the target's network namespace, by inode (TIME_WAIT rows have inode 0 and no owner).</summary>
    private static Dictionary<ulong, TcpSocket> TcpByInode(ProcPid process)
    {
        var sockets = new List<TcpSocket>();
        process.ReadTcpSockets(sockets);
        var byInode = new Dictionary<ulong, TcpSocket>();
        foreach (var s in sockets)
        {
            if (s.Inode != 0)
            {
                byInode.TryAdd(s.Inode, s);
            }
        }

        return byInode;
    }

    private static string Describe(TcpSocket s) =>
        s.State == TcpState.Listen
            ? $"tcp {s.Local} LISTEN"
            : $"tcp {s.Local} -> {s.Remote} {System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(s.State.ToString())}";

    private static bool SameProcess(ProcPid process, DiagnosticTarget target)
    {
        Span<byte> buffer = stackalloc byte[1024];
        return process.ReadStat(buffer, out var stat, out _) == ProcReadStatus.Ok
            && stat.StartTimeTicks == target.Identity.StartTimeTicks
            && stat.State != 'Z';
    }

    private static string Problem(string file, ProcReadStatus status) => status == ProcReadStatus.Denied
        ? $"{file} is readable only by the target's user or with CAP_SYS_PTRACE: run the agent as the target's user (runAsUser) or add the capability"
        : $"{file} vanished while reading (the process exited)";

    private sealed record PreviousThreads(Sampling.ProcessIdentity Identity, DateTimeOffset TakenUtc, Dictionary<int, ulong> Ticks);
}
