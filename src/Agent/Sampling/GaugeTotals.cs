using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// The point-in-time values of a target, summed over its processes (one unless
/// <c>IncludeChildren</c>). A value some member could not report (VmHWM of a kernel without it,
/// <c>fd/</c> denied) makes the sum unknown rather than too small, except open fds, which count
/// what could be read.
/// </summary>
internal struct GaugeTotals
{
    public int Processes;
    public long ResidentBytes;
    public long? ResidentPeakBytes;
    public long VirtualBytes;
    public long? SwapBytes;
    public long Threads;
    public long? OpenFds;

    public static GaugeTotals Of(in ProcessReading root, ProcSystem system) => new()
    {
        Processes = 1,
        ResidentBytes = root.Stat.ResidentPages * system.PageSize,
        ResidentPeakBytes = root.Status.ResidentPeakBytes,
        VirtualBytes = (long)Math.Min(root.Stat.VirtualBytes, long.MaxValue),
        SwapBytes = root.Status.SwapBytes,
        Threads = root.Stat.Threads,
        OpenFds = root.FdStatus == ProcReadStatus.Ok ? root.OpenFds : null,
    };

    public void Add(in ProcessReading member, ProcSystem system)
    {
        Processes++;
        ResidentBytes += member.Stat.ResidentPages * system.PageSize;
        ResidentPeakBytes += member.Status.ResidentPeakBytes;
        SwapBytes += member.Status.SwapBytes;
        VirtualBytes += (long)Math.Min(member.Stat.VirtualBytes, long.MaxValue);
        Threads += member.Stat.Threads;
        OpenFds = member.FdStatus == ProcReadStatus.Ok ? OpenFds + member.OpenFds : OpenFds;
    }
}
