namespace Agent.Sampling;

/// <summary>The cumulative counters of one process, in the units the snapshot reports.</summary>
internal readonly record struct CounterValues(
    double CpuUser, double CpuSystem, long IoRead, long IoWrite,
    long Voluntary, long Involuntary, long MinorFaults, long MajorFaults)
{
    public static CounterValues operator +(CounterValues a, CounterValues b) => new(
        a.CpuUser + b.CpuUser, a.CpuSystem + b.CpuSystem, a.IoRead + b.IoRead, a.IoWrite + b.IoWrite,
        a.Voluntary + b.Voluntary, a.Involuntary + b.Involuntary, a.MinorFaults + b.MinorFaults, a.MajorFaults + b.MajorFaults);
}
