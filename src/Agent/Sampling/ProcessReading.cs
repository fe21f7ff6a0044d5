using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// Everything read from /proc for one process in one tick. Files the agent may not read
/// (io and fd of another user's process) are marked <see cref="ProcReadStatus.Denied"/> and
/// their values must be omitted, not reported as zero.
/// </summary>
internal struct ProcessReading
{
    public ProcStat Stat;
    public ProcStatus Status;
    public ProcIo Io;
    public ProcReadStatus IoStatus;
    public ProcLimits Limits;
    public long OpenFds;
    public ProcReadStatus FdStatus;

    /// <summary>The cumulative counters in the snapshot's units (seconds, bytes, counts).</summary>
    public readonly CounterValues Counters(ProcSystem system) => new(
        system.TicksToSeconds(Stat.UserTicks),
        system.TicksToSeconds(Stat.SystemTicks),
        (long)Math.Min(Io.ReadBytes ?? 0, long.MaxValue),
        (long)Math.Min(Io.WriteBytes ?? 0, long.MaxValue),
        Status.VoluntaryContextSwitches ?? 0,
        Status.InvoluntaryContextSwitches ?? 0,
        (long)Math.Min(Stat.MinorFaults, long.MaxValue),
        (long)Math.Min(Stat.MajorFaults, long.MaxValue));
}
