using System.Globalization;
using System.Text;
using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Reads the per-process files of one pid into a reused buffer. Single-threaded by design:
/// only the sampling loop calls it. Path strings are cached for the last pid so a steady tick
/// allocates nothing but file handles.
/// </summary>
internal sealed class ProcessReader(ProcSystem system)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _pathsFor = -1;
    private string _stat = string.Empty, _status = string.Empty, _io = string.Empty, _limits = string.Empty, _fd = string.Empty;
    private byte[] _lastCommBytes = [];
    private string _lastComm = string.Empty;

    public ProcSystem System => system;

    /// <summary>Reads only <c>stat</c>: enough to check identity.</summary>
    public ProcReadStatus ReadStat(int pid, out ProcStat stat, out string comm)
    {
        SetPaths(pid);
        stat = default;
        comm = string.Empty;
        var status = ProcFileReader.Read(_stat, _buffer, out var n);
        if (status != ProcReadStatus.Ok)
        {
            return status;
        }

        if (!ProcStat.TryParse(_buffer.AsSpan(0, n), out stat, out var commBytes))
        {
            // A stat we cannot parse is treated as a vanished process, never as a crash.
            return ProcReadStatus.Gone;
        }

        comm = InternComm(commBytes);
        return ProcReadStatus.Ok;
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

        if (ProcFileReader.Read(_status, _buffer, out var n) == ProcReadStatus.Ok)
        {
            reading.Status = ProcStatus.Parse(_buffer.AsSpan(0, n));
        }

        reading.IoStatus = ProcFileReader.Read(_io, _buffer, out n);
        if (reading.IoStatus == ProcReadStatus.Ok)
        {
            reading.Io = ProcIo.Parse(_buffer.AsSpan(0, n));
        }

        if (withLimits && ProcFileReader.Read(_limits, _buffer, out n) == ProcReadStatus.Ok)
        {
            reading.Limits = ProcLimits.Parse(_buffer.AsSpan(0, n));
        }

        reading.FdStatus = ProcFdCount.Count(_fd, out reading.OpenFds);
        return ProcReadStatus.Ok;
    }

    private void SetPaths(int pid)
    {
        if (pid == _pathsFor)
        {
            return;
        }

        var dir = Path.Combine(system.ProcRoot, pid.ToString(CultureInfo.InvariantCulture));
        _stat = Path.Combine(dir, "stat");
        _status = Path.Combine(dir, "status");
        _io = Path.Combine(dir, "io");
        _limits = Path.Combine(dir, "limits");
        _fd = Path.Combine(dir, "fd");
        _pathsFor = pid;
    }

    private string InternComm(ReadOnlySpan<byte> comm)
    {
        if (!comm.SequenceEqual(_lastCommBytes))
        {
            _lastCommBytes = comm.ToArray();
            _lastComm = Encoding.UTF8.GetString(comm);
        }

        return _lastComm;
    }
}
