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
    ulong ChildMinorFaults,   // (11) cminflt: of the children it waited for (and theirs)
    ulong MajorFaults,        // (12) majflt
    ulong ChildMajorFaults,   // (13) cmajflt
    ulong UserTicks,          // (14) utime
    ulong SystemTicks,        // (15) stime
    ulong ChildUserTicks,     // (16) cutime: utime + cutime of each child it waited for
    ulong ChildSystemTicks,   // (17) cstime
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

    /// <summary>
    /// A process is alive while any of its threads is. Its leader thread may have exited
    /// (<c>pthread_exit</c> from <c>main</c>): the leader then shows <c>Z</c> while the other
    /// threads run, and <c>num_threads</c> counts them (a finished zombie shows 1). Dead tasks
    /// (<c>X</c>, reaped) count as gone.
    /// </summary>
    public bool IsAlive => State is not ('Z' or 'X' or 'x') || (State == 'Z' && Threads > 1);

    /// <summary>Finished, not yet waited for: its CPU and faults are still here, then move to its reaper's c-fields.</summary>
    public bool IsZombie => State == 'Z' && Threads <= 1;

    /// <summary>Alive although its leader thread exited: memory, status and <c>fd/</c> are only in a live thread's <c>task/</c> entry.</summary>
    public bool LeaderExited => State == 'Z' && Threads > 1;

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
                case 10 or 11 or 12 or 13 or 14 or 15 or 16 or 17 or 22 or 23:
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
            wanted[10], wanted[11], wanted[12], wanted[13], wanted[14], wanted[15], wanted[16], wanted[17], threads, wanted[22], wanted[23], rss);
        return true;
    }
}
