using Agent.Procfs;

namespace Agent.Sampling;

/// <summary>
/// The counters the kernel also keeps for a process's reaped children (<c>cutime</c>,
/// <c>cstime</c>, <c>cminflt</c>, <c>cmajflt</c>): CPU in clock ticks and page faults, integers
/// summed as integers, so a sum never falls by a rounding error.
/// </summary>
internal readonly record struct KernelCounters(ulong UserTicks, ulong SystemTicks, ulong MinorFaults, ulong MajorFaults)
{
    /// <summary>The process's own use (<c>utime</c>, <c>stime</c>, <c>minflt</c>, <c>majflt</c>).</summary>
    public static KernelCounters Own(in ProcStat s) => new(s.UserTicks, s.SystemTicks, s.MinorFaults, s.MajorFaults);

    /// <summary>What its reaped children used (<c>cutime</c>, <c>cstime</c>, <c>cminflt</c>, <c>cmajflt</c>).</summary>
    public static KernelCounters Reaped(in ProcStat s) => new(s.ChildUserTicks, s.ChildSystemTicks, s.ChildMinorFaults, s.ChildMajorFaults);

    public static KernelCounters operator +(KernelCounters a, KernelCounters b) =>
        new(a.UserTicks + b.UserTicks, a.SystemTicks + b.SystemTicks, a.MinorFaults + b.MinorFaults, a.MajorFaults + b.MajorFaults);

    /// <summary>Field by field, never below zero (a counter the kernel reports lower is taken as unchanged).</summary>
    public static KernelCounters operator -(KernelCounters a, KernelCounters b) =>
        new(Less(a.UserTicks, b.UserTicks), Less(a.SystemTicks, b.SystemTicks), Less(a.MinorFaults, b.MinorFaults), Less(a.MajorFaults, b.MajorFaults));

    public static KernelCounters Min(KernelCounters a, KernelCounters b) =>
        new(Math.Min(a.UserTicks, b.UserTicks), Math.Min(a.SystemTicks, b.SystemTicks), Math.Min(a.MinorFaults, b.MinorFaults), Math.Min(a.MajorFaults, b.MajorFaults));

    public bool IsZero => this == default;

    private static ulong Less(ulong a, ulong b) => a > b ? a - b : 0;
}

/// <summary>
/// Counters the kernel keeps for the process alone, never for its children (<c>io</c> bytes,
/// context switches): a tree counts what it saw of its members.
/// </summary>
internal readonly record struct SeenCounters(long IoRead, long IoWrite, long Voluntary, long Involuntary)
{
    public static SeenCounters Of(in ProcessReading r) => new(
        (long)Math.Min(r.Io.ReadBytes ?? 0, long.MaxValue),
        (long)Math.Min(r.Io.WriteBytes ?? 0, long.MaxValue),
        r.Status.VoluntaryContextSwitches ?? 0,
        r.Status.InvoluntaryContextSwitches ?? 0);

    public static SeenCounters operator +(SeenCounters a, SeenCounters b) =>
        new(a.IoRead + b.IoRead, a.IoWrite + b.IoWrite, a.Voluntary + b.Voluntary, a.Involuntary + b.Involuntary);

    /// <summary>Field by field, never below zero.</summary>
    public static SeenCounters operator -(SeenCounters a, SeenCounters b) =>
        new(Math.Max(0, a.IoRead - b.IoRead), Math.Max(0, a.IoWrite - b.IoWrite), Math.Max(0, a.Voluntary - b.Voluntary), Math.Max(0, a.Involuntary - b.Involuntary));
}

/// <summary>A target's cumulative counters: kernel-accounted (CPU ticks, faults) and seen (io, context switches).</summary>
internal readonly record struct CounterValues(KernelCounters Kernel, SeenCounters Seen);

/// <summary>One member of a target's tree in one tick.</summary>
/// <param name="ParentPid">Its parent now: who will reap it, and whose c-fields will then hold its use.</param>
/// <param name="Reaped">Its reaped children's use; zero when the target counts its root alone.</param>
internal readonly record struct MemberCounters(ProcessIdentity Id, int ParentPid, KernelCounters Own, KernelCounters Reaped, SeenCounters Seen);
