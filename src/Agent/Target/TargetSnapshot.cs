namespace Agent.Target;

/// <summary>
/// The target's values at one tick. Nullable members were not readable (permissions, older
/// kernel) and must be omitted from every output, never shown as 0.
/// </summary>
internal sealed record TargetSample(
    ProcessIdentity Identity,
    string Name,
    int ProcessCount,
    double CpuUserSeconds,
    double CpuSystemSeconds,
    long ResidentBytes,
    long? ResidentPeakBytes,
    long VirtualBytes,
    long? SwapBytes,
    long Threads,
    long? OpenFds,
    double? MaxFds,
    double StartTimeSeconds,
    long? IoReadBytes,
    long? IoWriteBytes,
    long? VoluntaryContextSwitches,
    long? InvoluntaryContextSwitches,
    long MinorPageFaults,
    long MajorPageFaults);

/// <summary>
/// What the sampling loop last published: immutable, swapped atomically, read by endpoints
/// and metric callbacks without locks.
/// </summary>
/// <param name="Sample">Null while no target is present.</param>
/// <param name="Restarts">New identities seen after the first one.</param>
/// <param name="Selector">How the target is chosen, for humans.</param>
/// <param name="Problem">Why no target is present, when none is.</param>
/// <param name="TakenAt">When the tick that produced this finished.</param>
internal sealed record TargetSnapshot(
    TargetSample? Sample,
    long Restarts,
    string Selector,
    string? Problem,
    DateTimeOffset TakenAt)
{
    public static TargetSnapshot Initial(string selector, DateTimeOffset now) =>
        new(null, 0, selector, "not sampled yet", now);
}

/// <summary>Holds the latest snapshot. One writer (the sampling loop), many readers.</summary>
internal sealed class TargetSnapshotStore(TargetSnapshot initial)
{
    private TargetSnapshot _current = initial;

    /// <summary>True once the sampling loop has completed at least one tick.</summary>
    public bool HasTicked { get; private set; }

    public TargetSnapshot Current => Volatile.Read(ref _current);

    public void Publish(TargetSnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        HasTicked = true;
    }
}
