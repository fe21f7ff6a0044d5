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

    /// <summary>This process as a member of a target; with its reaped children's use when the target sums its tree.</summary>
    public readonly MemberCounters Member(ProcessIdentity id, bool withReaped) =>
        new(id, Stat.ParentPid, KernelCounters.Own(Stat), withReaped ? KernelCounters.Reaped(Stat) : default, SeenCounters.Of(this));
}
