using System.Runtime.InteropServices;

namespace Agent.Procfs;

/// <summary>
/// Machine-wide constants the per-process files are relative to: clock ticks per second,
/// page size and boot time. Read once; they do not change while the machine runs.
/// </summary>
internal sealed partial class ProcSystem
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK on Linux

    public ProcSystem(ProcFs fs)
    {
        Fs = fs;
        // USER_HZ: glibc answers AT_CLKTCK from the auxiliary vector (100 if absent), musl the constant
        // 100; neither returns 0 or -1 for it, so no fallback is needed.
        ClockTicksPerSecond = SysConf(ScClockTicks);
        PageSize = Environment.SystemPageSize;
        BootTimeSeconds = ReadBootTime(fs.SystemStatPath);
    }

    /// <summary>The procfs these constants belong to (the per-process files are read through it).</summary>
    public ProcFs Fs { get; }

    public long ClockTicksPerSecond { get; }

    public int PageSize { get; }

    /// <summary>The <c>btime</c> line of /proc/stat: seconds since the epoch at boot.</summary>
    public long BootTimeSeconds { get; }

    public double TicksToSeconds(ulong ticks) => (double)ticks / ClockTicksPerSecond;

    public double StartTimeSeconds(ulong startTicks) => BootTimeSeconds + TicksToSeconds(startTicks);

    internal static long ParseBootTime(ReadOnlySpan<byte> text)
    {
        while (!text.IsEmpty)
        {
            var line = AsciiParsing.NextLine(ref text);
            if (line.StartsWith("btime "u8) && AsciiParsing.TryParseUInt64(line[6..], out var btime))
            {
                return (long)btime;
            }
        }

        return 0;
    }

    private static long ReadBootTime(string path)
    {
        // /proc/stat grows with the number of CPUs; 64 KiB covers large machines.
        var buffer = new byte[64 * 1024];
        return ProcFileReader.Read(path, buffer, out var length) == ProcReadStatus.Ok
            ? ParseBootTime(buffer.AsSpan(0, length))
            : 0;
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
