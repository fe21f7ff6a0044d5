namespace Agent.Sampling;

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
