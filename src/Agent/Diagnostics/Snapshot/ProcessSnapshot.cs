using Agent.Procfs;

namespace Agent.Diagnostics.Snapshot;

/// <summary>
/// What <c>GET /diag/snapshot</c> answers: the target process at one instant, from /proc only (no
/// ptrace). A part that could not be read is null with its <c>*Problem</c> saying why and how to fix it.
/// Sizes are bytes, CPU is seconds.
/// </summary>
internal sealed record ProcessSnapshot(
    string Target,
    int Pid,
    string ProcessName,
    DateTimeOffset TakenUtc,
    double DurationMilliseconds,
    SnapshotMemory? Memory,
    string? MemoryProblem,
    SnapshotThreads? Threads,
    string? ThreadsProblem,
    SnapshotFds? Fds,
    string? FdsProblem,
    SnapshotLimits? Limits,
    CgroupMemory? Cgroup,
    string? CgroupProblem);

/// <summary>From <c>smaps_rollup</c>. <see cref="FileBacked"/> and <see cref="Shmem"/> are their PSS shares (Pss_File, Pss_Shmem).</summary>
internal sealed record SnapshotMemory(long? Rss, long? Pss, long? Anonymous, long? FileBacked, long? Shmem, long? Swap, long? PssAnonymous, long? SwapPss);

/// <summary>Every thread, and the busiest since the previous snapshot of the same process (since each thread started on the first).</summary>
/// <param name="IntervalSeconds">Time since the previous snapshot the deltas are over; null on the first.</param>
internal sealed record SnapshotThreads(int Count, bool Truncated, double? IntervalSeconds, IReadOnlyList<SnapshotThread> TopByCpu, IReadOnlyList<SnapshotThread> Items);

/// <summary>One thread. <see cref="State"/> is the kernel's letter (R running, S sleeping, D disk wait, Z zombie, T stopped).</summary>
internal sealed record SnapshotThread(int Tid, string Name, string State, double CpuSeconds, double? CpuSecondsDelta);

/// <summary>Open file descriptors: how many, of which kind, and the 20 most frequent targets.</summary>
internal sealed record SnapshotFds(int Total, bool Truncated, SnapshotFdTypes ByType, IReadOnlyList<SnapshotFdTarget> Top);

/// <summary>Counts per kind of descriptor.</summary>
internal sealed record SnapshotFdTypes(int Socket, int File, int Pipe, int AnonInode, int Other);

/// <summary>A descriptor target and how many descriptors point at it. TCP sockets read <c>tcp local -> remote STATE</c>.</summary>
internal sealed record SnapshotFdTarget(string Target, FdKind Type, int Count);

/// <summary>From <c>limits</c>; <c>Infinity</c> when unlimited.</summary>
internal sealed record SnapshotLimits(double? MaxOpenFilesSoft, double? MaxOpenFilesHard);
