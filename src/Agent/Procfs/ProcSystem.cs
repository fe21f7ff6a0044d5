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

    /// <summary>
    /// Clock ticks since boot now, from <c>/proc/uptime</c>: the clock processes' <c>starttime</c> is
    /// counted on, to 10 ms (<c>btime</c> is whole seconds). Null when unreadable.
    /// </summary>
    public ulong? UptimeTicks()
    {
        Span<byte> buffer = stackalloc byte[128];
        return ProcFileReader.Read(Fs.UptimePath, buffer, out var n) == ProcReadStatus.Ok ? ParseUptimeTicks(buffer[..n], ClockTicksPerSecond) : null;
    }

    /// <summary>
    /// The boot-clock tick of a moment <paramref name="ago"/> before now, for comparing it with
    /// processes' start times (a pid file's mtime, the last tick a target was seen). Null when
    /// <c>/proc/uptime</c> is unreadable.
    /// </summary>
    public ulong? BootTicksAgo(TimeSpan ago) => UptimeTicks() is { } now
        ? (ulong)Math.Max(0, (double)now - (Math.Max(0, ago.TotalSeconds) * ClockTicksPerSecond))
        : null;

    /// <summary>"350735.47 234388.90": the first number, seconds since boot, in ticks.</summary>
    internal static ulong? ParseUptimeTicks(ReadOnlySpan<byte> text, long ticksPerSecond)
    {
        var token = AsciiParsing.NextToken(ref text).TrimEnd("\n"u8);
        var dot = token.IndexOf((byte)'.');
        var whole = dot < 0 ? token : token[..dot];
        var fraction = dot < 0 ? [] : token[(dot + 1)..];
        if (!AsciiParsing.TryParseUInt64(whole, out var seconds) || seconds > (ulong)(long.MaxValue / 1000 / ticksPerSecond))
        {
            return null;
        }

        ulong hundredths = 0;
        for (var i = 0; i < 2; i++)
        {
            // Two decimals as the kernel prints them; fewer (a hand-written file) are zeros.
            var digit = i < fraction.Length && fraction[i] is >= (byte)'0' and <= (byte)'9' ? fraction[i] - (byte)'0' : 0;
            hundredths = (hundredths * 10) + (ulong)digit;
        }

        return ((seconds * 100) + hundredths) * (ulong)ticksPerSecond / 100;
    }

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
