namespace Agent.Procfs;

/// <summary>
/// The fields of <c>/proc/&lt;pid&gt;/status</c> the agent uses. Sizes are converted from the
/// kernel's kB to bytes. Fields a kernel does not print (VmSwap before 2.6.34, kernel threads
/// have no Vm* lines at all) stay null rather than zero.
/// </summary>
internal readonly record struct ProcStatus(
    long? ResidentBytes,          // VmRSS
    long? ResidentPeakBytes,      // VmHWM
    long? VirtualBytes,           // VmSize
    long? SwapBytes,              // VmSwap
    long? Threads,                // Threads
    long? VoluntaryContextSwitches,    // voluntary_ctxt_switches
    long? InvoluntaryContextSwitches,  // nonvoluntary_ctxt_switches
    int? RealUid,                 // Uid (first of four)
    int? NamespacePid,            // NSpid, last: the pid inside the process's own PID namespace
    int? EffectiveUid = null,     // Uid, second
    ulong? EffectiveCapabilities = null) // CapEff, a hexadecimal bit mask
{
    /// <summary>Who the process is: its user ids and effective capabilities, from the same parse.</summary>
    public ProcCredentials Credentials => new(RealUid, EffectiveUid, EffectiveCapabilities);

    public static ProcStatus Parse(ReadOnlySpan<byte> text)
    {
        long? rss = null, hwm = null, size = null, swap = null, threads = null, vol = null, invol = null;
        int? uid = null, nspid = null, euid = null;
        ulong? caps = null;
        while (!text.IsEmpty)
        {
            var line = AsciiParsing.NextLine(ref text);
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon];
            var value = line[(colon + 1)..];
            switch (key.Length)
            {
                case 3 when key.SequenceEqual("Uid"u8):
                    uid = NextId(ref value);
                    euid = NextId(ref value);
                    break;
                case 6 when key.SequenceEqual("CapEff"u8):
                    caps = AsciiParsing.TryParseHex(value.Trim("\t "u8), out var mask) ? mask : null;
                    break;
                case 5 when key.SequenceEqual("NSpid"u8):
                    nspid = LastInt(value);
                    break;
                case 5 when key.SequenceEqual("VmRSS"u8):
                    rss = AsciiParsing.Kilobytes(value);
                    break;
                case 5 when key.SequenceEqual("VmHWM"u8):
                    hwm = AsciiParsing.Kilobytes(value);
                    break;
                case 6 when key.SequenceEqual("VmSize"u8):
                    size = AsciiParsing.Kilobytes(value);
                    break;
                case 6 when key.SequenceEqual("VmSwap"u8):
                    swap = AsciiParsing.Kilobytes(value);
                    break;
                case 7 when key.SequenceEqual("Threads"u8):
                    threads = ParseInt(value);
                    break;
                case 23 when key.SequenceEqual("voluntary_ctxt_switches"u8):
                    vol = ParseInt(value);
                    break;
                case 26 when key.SequenceEqual("nonvoluntary_ctxt_switches"u8):
                    invol = ParseInt(value);
                    break;
                default:
                    break;
            }
        }

        return new ProcStatus(rss, hwm, size, swap, threads, vol, invol, uid, nspid, euid, caps);
    }

    private static long? ParseInt(ReadOnlySpan<byte> value)
    {
        value = value.TrimStart("\t "u8);
        return AsciiParsing.TryParseUInt64(value, out var v) && v <= long.MaxValue ? (long)v : null;
    }

    /// <summary>"NSpid:\t4242\t7": one pid per nested namespace, outermost first (Linux ≥ 4.1).</summary>
    private static int? LastInt(ReadOnlySpan<byte> value)
    {
        value = value.TrimEnd("\t "u8);
        var start = value.LastIndexOfAny("\t "u8) + 1;
        var token = value[start..];
        return AsciiParsing.TryParseDecimal(token, out var v) && v is > 0 and <= int.MaxValue ? (int)v : null;
    }

    private static int? NextId(ref ReadOnlySpan<byte> value)
    {
        value = value.TrimStart("\t "u8);
        var end = value.IndexOfAny("\t "u8);
        var token = end < 0 ? value : value[..end];
        value = end < 0 ? default : value[end..];
        // Uids are unsigned 32-bit; one beyond int (and (uid_t)-1, which never names a user) is unreadable.
        return AsciiParsing.TryParseUInt64(token, out var id) && id <= int.MaxValue && token.Length > 0 ? (int)id : null;
    }
}
