namespace Agent.Procfs;

/// <summary>
/// Reads a cgroup's files into <see cref="CgroupValues"/>, one file at a time into a caller-owned
/// buffer, through <see cref="CgroupHandles"/>: held for the tick, opened for a one-off read. A file that is missing or unreadable leaves its values
/// null and its flag in <see cref="CgroupValues.Missing"/>; nothing throws.
/// </summary>
internal static class CgroupReader
{
    /// <summary>Every file, each opened for this read (a one-off: a snapshot, <c>agent check</c>).</summary>
    public static CgroupValues Read(CgroupPaths paths, Span<byte> buffer)
    {
        using var handles = new CgroupHandles(paths);
        return Read(handles, buffer);
    }

    /// <summary>Only the OOM counters (the watcher's read when the kernel signals a change, the last read of a cgroup being left).</summary>
    public static CgroupMemoryEvents ReadMemoryEvents(CgroupPaths paths, Span<byte> buffer) =>
        paths.File(CgroupFile.MemoryEvents) is { } file && ProcFileReader.Read(file, buffer, out var n) == ProcReadStatus.Ok
            ? paths.Memory!.Version == 1 ? CgroupMemoryEvents.ParseOomControl(buffer[..n]) : CgroupMemoryEvents.Parse(buffer[..n])
            : default;

    /// <summary>Every file, through the held handles (the tick).</summary>
    public static CgroupValues Read(CgroupHandles source, Span<byte> buffer)
    {
        var paths = source.Paths;
        var missing = CgroupFile.None;
        var memoryVersion = paths.Memory?.Version ?? 0;

        var usage = Read(source, CgroupFile.MemoryUsage, buffer, ref missing, out var text) ? CgroupFiles.ParseValue(text) : null;
        long? limit = null, high = null;
        bool unlimited = false;
        if (Read(source, CgroupFile.MemoryLimit, buffer, ref missing, out text))
        {
            limit = CgroupFiles.ParseLimit(text, out unlimited);
        }

        if (Read(source, CgroupFile.MemoryHigh, buffer, ref missing, out text))
        {
            high = CgroupFiles.ParseLimit(text, out _);
        }

        var stat = Read(source, CgroupFile.MemoryStat, buffer, ref missing, out text) ? CgroupMemoryStat.Parse(text, memoryVersion) : default;
        var events = Read(source, CgroupFile.MemoryEvents, buffer, ref missing, out text)
            ? memoryVersion == 1 ? CgroupMemoryEvents.ParseOomControl(text) : CgroupMemoryEvents.Parse(text)
            : default;

        var cpuMax = default(CgroupCpuMax);
        if (Read(source, CgroupFile.CpuMax, buffer, ref missing, out text))
        {
            if (paths.CpuPeriodV1 is not null)
            {
                // Two files on v1: the quota (just read) and the period.
                Span<byte> quota = stackalloc byte[32];
                var n = Math.Min(text.Length, quota.Length);
                text[..n].CopyTo(quota);
                cpuMax = source.ReadPeriodV1(buffer, out var m) ? CgroupCpuMax.ParseV1(quota[..n], buffer[..m]) : default;
            }
            else
            {
                cpuMax = CgroupCpuMax.Parse(text);
            }
        }

        var cpuStat = Read(source, CgroupFile.CpuStat, buffer, ref missing, out text) ? CgroupCpuStat.Parse(text) : default;
        long? cpuUsage = null;
        if (paths.CpuUsage is { Version: 2 } && paths.Cpu == paths.CpuUsage)
        {
            cpuUsage = cpuStat.UsageMicros; // the same cpu.stat, read once
            if (cpuUsage is null && (missing & CgroupFile.CpuStat) != 0)
            {
                missing |= CgroupFile.CpuUsage;
            }
        }
        else if (Read(source, CgroupFile.CpuUsage, buffer, ref missing, out text))
        {
            cpuUsage = paths.CpuUsage!.Version == 1 ? CgroupFiles.ParseValue(text) / 1000 : CgroupCpuStat.Parse(text).UsageMicros;
        }

        var cpuPressure = Read(source, CgroupFile.CpuPressure, buffer, ref missing, out text) ? CgroupPressure.Parse(text) : default;
        var memoryPressure = Read(source, CgroupFile.MemoryPressure, buffer, ref missing, out text) ? CgroupPressure.Parse(text) : default;
        var ioPressure = Read(source, CgroupFile.IoPressure, buffer, ref missing, out text) ? CgroupPressure.Parse(text) : default;
        var pids = Read(source, CgroupFile.PidsCurrent, buffer, ref missing, out text) ? CgroupFiles.ParseValue(text) : null;
        var pidsLimit = Read(source, CgroupFile.PidsMax, buffer, ref missing, out text) ? CgroupFiles.ParseLimit(text, out _) : null;

        return new CgroupValues(usage, limit, unlimited, high, stat, events, cpuUsage, cpuMax, cpuStat, cpuPressure, memoryPressure, ioPressure, pids, pidsLimit, missing);
    }

    private static bool Read(CgroupHandles source, CgroupFile file, Span<byte> buffer, ref CgroupFile missing, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (source.Paths.File(file) is null)
        {
            // Not applicable (v1 has no memory.high), or a controller that was not reached: the
            // locator's problems say why, once; Missing is for files absent where they belong.
            return false;
        }

        if (!source.Read(file, buffer, out var n))
        {
            missing |= file;
            return false;
        }

        text = buffer[..n];
        return true;
    }
}
