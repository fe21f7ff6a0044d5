using System.Runtime.InteropServices;

namespace Agent.History;

/// <summary>
/// One point of a target's cgroup in history, 14 bytes (the time is kept by the ring), only for
/// targets whose cgroup was read. Unknown values are <see cref="Unknown"/> or NaN, never 0. A
/// downsampled bucket holds the bucket's peak of each value.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 2)]
internal readonly struct ContainerPoint(uint workingSetKiB, uint limitKiB, Half throttledRatio, Half cpuPressure, Half memoryPressure) : IMergeable<ContainerPoint>
{
    /// <summary>A KiB value that was not readable (or, for the limit, no limit).</summary>
    public const uint Unknown = uint.MaxValue;

    /// <summary>Usage minus inactive file, in KiB.</summary>
    public uint WorkingSetKiB { get; } = workingSetKiB;

    /// <summary>The memory limit in KiB; <see cref="Unknown"/> when unlimited.</summary>
    public uint LimitKiB { get; } = limitKiB;

    /// <summary>Throttled share of the interval's CFS periods (0–1); NaN without a CPU limit.</summary>
    public Half ThrottledRatio { get; } = throttledRatio;

    /// <summary>Share of the interval some task waited for CPU (PSI some); NaN without PSI.</summary>
    public Half CpuPressure { get; } = cpuPressure;

    /// <summary>Share of the interval some task waited on memory (PSI some); NaN without PSI.</summary>
    public Half MemoryPressure { get; } = memoryPressure;

    public static ContainerPoint Merge(in ContainerPoint older, in ContainerPoint newer) => new(
        Peak(older.WorkingSetKiB, newer.WorkingSetKiB),
        Peak(older.LimitKiB, newer.LimitKiB),
        Peak(older.ThrottledRatio, newer.ThrottledRatio),
        Peak(older.CpuPressure, newer.CpuPressure),
        Peak(older.MemoryPressure, newer.MemoryPressure));

    public static uint KiB(long? bytes) => bytes is { } b ? (uint)Math.Clamp(b / 1024, 0, Unknown - 1) : Unknown;

    private static uint Peak(uint a, uint b) => a == Unknown ? b : b == Unknown ? a : Math.Max(a, b);

    private static Half Peak(Half a, Half b) => Half.IsNaN(a) ? b : Half.IsNaN(b) ? a : Half.Max(a, b);
}
