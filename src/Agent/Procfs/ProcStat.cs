namespace Agent.Procfs;

/// <summary>
/// The fields of <c>/proc/&lt;pid&gt;/stat</c> the agent uses (proc(5) numbering in brackets).
/// Times are in clock ticks (<see cref="ProcSystem.ClockTicksPerSecond"/>), memory in pages
/// where the kernel reports pages.
/// </summary>
internal readonly record struct ProcStat(
    int Pid,                  // (1)
    char State,               // (3) R, S, D, Z, ...
    int ParentPid,            // (4)
    uint Flags,               // (9) PF_* flags of the task
    ulong MinorFaults,        // (10) minflt
    ulong MajorFaults,        // (12) majflt
    ulong UserTicks,          // (14) utime
    ulong SystemTicks,        // (15) stime
    long Threads,             // (20) num_threads
    ulong StartTimeTicks,     // (22) starttime, ticks after boot
    ulong VirtualBytes,       // (23) vsize
    long ResidentPages)       // (24) rss
{
    /// <summary>PF_KTHREAD (include/linux/sched.h): a kernel thread, whatever its pid.</summary>
    public const uint KernelThreadFlag = 0x00200000;

    /// <summary>
    /// A kernel thread (kthreadd and its children). Inside a PID namespace none is visible; on a
    /// host they are recognised by this flag, not by pid 2 or a parent of 2.
    /// </summary>
    public bool IsKernelThread => (Flags & KernelThreadFlag) != 0;

    /// <summary>Zombies and dead tasks count as gone.</summary>
    public bool IsAlive => State is not ('Z' or 'X' or 'x');

    /// <summary>
    /// Parses one stat line. The command name (2) sits in parentheses and may itself contain
    /// spaces and parentheses (<c>a) (b</c>), so the line is split at the <b>last</b> ')'.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out ProcStat stat, out ReadOnlySpan<byte> comm)
    {
        stat = default;
        comm = default;
        var open = text.IndexOf((byte)'(');
        var close = text.LastIndexOf((byte)')');
        if (open <= 0 || close < open || !AsciiParsing.TryParseInt64(text[..open].TrimEnd((byte)' '), out var pid) || pid is <= 0 or > int.MaxValue)
        {
            return false;
        }

        comm = text[(open + 1)..close];
        var rest = text[(close + 1)..];

        // Fields after the name start at (3); keep the ones we need by position.
        Span<ulong> wanted = stackalloc ulong[25];
        char state = '?';
        long threads = 0, rss = 0, ppid = 0;
        ulong flags = 0;
        var field = 3;
        while (field <= 24)
        {
            var token = AsciiParsing.NextToken(ref rest);
            if (token.IsEmpty)
            {
                return false;
            }

            switch (field)
            {
                case 3:
                    state = (char)token[0];
                    break;
                case 4:
                    if (!AsciiParsing.TryParseInt64(token, out ppid))
                    {
                        return false;
                    }

                    break;
                case 9:
                    if (!AsciiParsing.TryParseUInt64(token, out flags))
                    {
                        return false;
                    }

                    break;
                case 20:
                    if (!AsciiParsing.TryParseInt64(token, out threads))
                    {
                        return false;
                    }

                    break;
                case 24:
                    if (!AsciiParsing.TryParseInt64(token, out rss))
                    {
                        return false;
                    }

                    break;
                case 10 or 12 or 14 or 15 or 22 or 23:
                    if (!AsciiParsing.TryParseUInt64(token, out wanted[field]))
                    {
                        return false;
                    }

                    break;
                default:
                    break;
            }

            field++;
        }

        stat = new ProcStat(
            (int)pid, state, (int)Math.Clamp(ppid, 0, int.MaxValue), (uint)flags,
            wanted[10], wanted[12], wanted[14], wanted[15], threads, wanted[22], wanted[23], rss);
        return true;
    }
}
