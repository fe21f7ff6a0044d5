namespace Agent.Sampling;

/// <summary>
/// The target's values at one tick. Nullable members were not readable (permissions, older
/// kernel) and must be omitted from every output, never shown as 0. Counters are sums of integers
/// (CPU in clock ticks) divided once, here: they never fall unless the target restarts.
/// </summary>
/// <param name="CountersSinceSeconds">
/// When the counters started (Unix seconds): the start of the process the target was first found
/// in after its last restart; a continuation (a daemon's child, a crashed master's orphan) keeps it.
/// </param>
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
    long MajorPageFaults,
    double? CountersSinceSeconds = null);
