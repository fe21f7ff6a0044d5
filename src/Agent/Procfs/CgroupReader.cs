namespace Agent.Procfs;

/// <summary>
/// Reads every located cgroup file into <see cref="CgroupValues"/>, one file at a time into a
/// caller-owned buffer (12 small files on v2, each a few µs; <c>memory.stat</c> is the largest at
/// ~1.5 KiB). A file that is missing or unreadable leaves its values null and its flag in
/// <see cref="CgroupValues.Missing"/>; nothing throws.
/// </summary>
internal static class CgroupReader
{
    public static CgroupValues Read(CgroupPaths paths, Span<byte> buffer)
    {
        var missing = CgroupFile.None;
        var memoryVersion = paths.Memory?.Version ?? 0;

        var usage = Read(paths, CgroupFile.MemoryUsage, buffer, ref missing, out var text) ? CgroupFiles.ParseValue(text) : null;
        long? limit = null, high = null;
        bool unlimited = false;
        if (Read(paths, CgroupFile.MemoryLimit, buffer, ref missing, out text))
        {
            limit = CgroupFiles.ParseLimit(text, out unlimited);
        }

        if (Read(paths, CgroupFile.MemoryHigh, buffer, ref missing, out text))
        {
            high = CgroupFiles.ParseLimit(text, out _);
        }

        var stat = Read(paths, CgroupFile.MemoryStat, buffer, ref missing, out text) ? CgroupMemoryStat.Parse(text, memoryVersion) : default;
        var events = Read(paths, CgroupFile.MemoryEvents, buffer, ref missing, out text)
            ? memoryVersion == 1 ? CgroupMemoryEvents.ParseOomControl(text) : CgroupMemoryEvents.Parse(text)
            : default;

        var cpuMax = default(CgroupCpuMax);
        if (Read(paths, CgroupFile.CpuMax, buffer, ref missing, out text))
        {
            if (paths.CpuPeriodV1 is { } periodPath)
            {
                // Two files on v1: the quota (just read) and the period.
                Span<byte> quota = stackalloc byte[32];
                var n = Math.Min(text.Length, quota.Length);
                text[..n].CopyTo(quota);
                cpuMax = ProcFileReader.Read(periodPath, buffer, out var m) == ProcReadStatus.Ok
                    ? CgroupCpuMax.ParseV1(quota[..n], buffer[..m])
                    : default;
            }
            else
            {
                cpuMax = CgroupCpuMax.Parse(text);
            }
        }

        var cpuStat = Read(paths, CgroupFile.CpuStat, buffer, ref missing, out text) ? CgroupCpuStat.Parse(text) : default;
        long? cpuUsage = null;
        if (paths.CpuUsage is { Version: 2 } && paths.Cpu == paths.CpuUsage)
        {
            cpuUsage = cpuStat.UsageMicros; // the same cpu.stat, read once
            if (cpuUsage is null && (missing & CgroupFile.CpuStat) != 0)
            {
                missing |= CgroupFile.CpuUsage;
            }
        }
        else if (Read(paths, CgroupFile.CpuUsage, buffer, ref missing, out text))
        {
            cpuUsage = paths.CpuUsage!.Version == 1 ? CgroupFiles.ParseValue(text) / 1000 : CgroupCpuStat.Parse(text).UsageMicros;
        }

        var cpuPressure = Read(paths, CgroupFile.CpuPressure, buffer, ref missing, out text) ? CgroupPressure.Parse(text) : default;
        var memoryPressure = Read(paths, CgroupFile.MemoryPressure, buffer, ref missing, out text) ? CgroupPressure.Parse(text) : default;
        var ioPressure = Read(paths, CgroupFile.IoPressure, buffer, ref missing, out text) ? CgroupPressure.Parse(text) : default;
        var pids = Read(paths, CgroupFile.PidsCurrent, buffer, ref missing, out text) ? CgroupFiles.ParseValue(text) : null;
        var pidsLimit = Read(paths, CgroupFile.PidsMax, buffer, ref missing, out text) ? CgroupFiles.ParseLimit(text, out _) : null;

        return new CgroupValues(usage, limit, unlimited, high, stat, events, cpuUsage, cpuMax, cpuStat, cpuPressure, memoryPressure, ioPressure, pids, pidsLimit, missing);
    }

    /// <summary>Only the OOM counters (the watcher's read when the kernel signals a change): one file.</summary>
    public static CgroupMemoryEvents ReadMemoryEvents(CgroupPaths paths, Span<byte> buffer)
    {
        var missing = CgroupFile.None;
        return Read(paths, CgroupFile.MemoryEvents, buffer, ref missing, out var text)
            ? paths.Memory!.Version == 1 ? CgroupMemoryEvents.ParseOomControl(text) : CgroupMemoryEvents.Parse(text)
            : default;
    }

    private static bool Read(CgroupPaths paths, CgroupFile file, Span<byte> buffer, ref CgroupFile missing, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (paths.File(file) is not { } path)
        {
            // Not applicable (v1 has no memory.high), or a controller that was not reached: the
            // locator's problems say why, once; Missing is for files absent where they belong.
            return false;
        }

        if (ProcFileReader.Read(path, buffer, out var n) != ProcReadStatus.Ok)
        {
            missing |= file;
            return false;
        }

        text = buffer[..n];
        return true;
    }
}
