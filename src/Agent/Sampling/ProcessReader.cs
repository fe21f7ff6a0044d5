using System.Text;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Reads the per-process files of followed pids into one reused buffer, through the
/// <see cref="ProcPid"/> accessors of <see cref="Procfs.ProcFs"/>. Single-threaded by design: only
/// the sampling loop calls it. Accessors (with their path strings) and decoded comms are kept for
/// the pids read in the last tick, so a steady tick allocates nothing but file handles.
/// </summary>
internal sealed class ProcessReader(ProcSystem system)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly Dictionary<int, Followed> _followed = [];
    private readonly List<int> _stale = [];

    public ProcSystem System => system;

    public ProcFs Fs => system.Fs;

    /// <summary>Reads only <c>stat</c>: enough to check identity.</summary>
    public ProcReadStatus ReadStat(int pid, out ProcStat stat, out string comm)
    {
        var f = Follow(pid);
        comm = string.Empty;
        var status = f.Accessor.ReadStat(_buffer, out stat, out var commBytes);
        if (status == ProcReadStatus.Ok)
        {
            comm = f.Intern(commBytes);
        }

        return status;
    }

    /// <summary>Reads stat, status, io, the fd count and (when asked) limits.</summary>
    public ProcReadStatus Read(int pid, out ProcessReading reading, out string comm, bool withLimits = true)
    {
        reading = default;
        var statStatus = ReadStat(pid, out reading.Stat, out comm);
        if (statStatus != ProcReadStatus.Ok)
        {
            return statStatus;
        }

        var accessor = _followed[pid].Accessor;

        // CPU, faults, io and limits are the whole process's in its own files; memory, status and
        // fd/ belong to its leader thread, so after the leader exited they are read from a live one.
        var shared = reading.Stat.LeaderExited && accessor.LiveThread(_buffer) is { } thread ? thread : accessor;
        if (shared != accessor && shared.ReadStat(_buffer, out var threadStat, out _) == ProcReadStatus.Ok)
        {
            reading.Stat = reading.Stat with { ResidentPages = threadStat.ResidentPages, VirtualBytes = threadStat.VirtualBytes };
        }

        _ = shared.ReadStatus(_buffer, out reading.Status);
        reading.IoStatus = accessor.ReadIo(_buffer, out reading.Io);
        if (withLimits)
        {
            _ = accessor.ReadLimits(_buffer, out reading.Limits);
        }

        reading.FdStatus = shared.CountFds(out reading.OpenFds);
        return ProcReadStatus.Ok;
    }

    /// <summary>Forgets the pids not read since the last call (called once per tick).</summary>
    public void EndTick()
    {
        foreach (var (pid, f) in _followed)
        {
            if (!f.Touched)
            {
                _stale.Add(pid);
            }

            f.Touched = false;
        }

        foreach (var pid in _stale)
        {
            _followed.Remove(pid);
        }

        _stale.Clear();
    }

    private Followed Follow(int pid)
    {
        if (!_followed.TryGetValue(pid, out var f))
        {
            f = new Followed(system.Fs.Process(pid));
            _followed[pid] = f;
        }

        f.Touched = true;
        return f;
    }

    private sealed class Followed(ProcPid accessor)
    {
        private byte[] _commBytes = [];
        private string _comm = string.Empty;

        public ProcPid Accessor => accessor;

        public bool Touched { get; set; }

        public string Intern(ReadOnlySpan<byte> comm)
        {
            if (!comm.SequenceEqual(_commBytes))
            {
                _commBytes = comm.ToArray();
                _comm = Encoding.UTF8.GetString(comm);
            }

            return _comm;
        }
    }
}
