using System.Runtime.InteropServices;

namespace Agent.History;

/// <summary>
/// One point of a target's history, 24 bytes (the time is kept by the ring). Unknown values are
/// NaN or -1, never 0: a chart must not show a value the agent could not read. A point that
/// stands for a downsampled bucket holds the bucket's peak of each value.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct TargetPoint(float cpuCores, uint rssKiB, int threads, int openFds, float heapBytes, float gcPauseRatio) : IMergeable<TargetPoint>
{
    /// <summary>CPU time over wall time since the previous tick: 1 = one core busy. NaN on the first tick of a process.</summary>
    public float CpuCores { get; } = cpuCores;

    /// <summary>Resident set in KiB (a multiple of the page size: exact, and 4 TiB fit).</summary>
    public uint RssKiB { get; } = rssKiB;

    public int Threads { get; } = threads;

    /// <summary>-1 where fd/ was not readable.</summary>
    public int OpenFds { get; } = openFds;

    /// <summary>.NET GC heap size; NaN unless the runtime's counters arrive.</summary>
    public float HeapBytes { get; } = heapBytes;

    /// <summary>Share of wall time in GC pauses (0–1); NaN unless the runtime's counters arrive.</summary>
    public float GcPauseRatio { get; } = gcPauseRatio;

    public static TargetPoint Merge(in TargetPoint older, in TargetPoint newer) => new(
        Peak(older.CpuCores, newer.CpuCores),
        Math.Max(older.RssKiB, newer.RssKiB),
        Math.Max(older.Threads, newer.Threads),
        Math.Max(older.OpenFds, newer.OpenFds),
        Peak(older.HeapBytes, newer.HeapBytes),
        Peak(older.GcPauseRatio, newer.GcPauseRatio));

    private static float Peak(float a, float b) => float.IsNaN(a) ? b : float.IsNaN(b) ? a : Math.Max(a, b);
}
