namespace Agent.Procfs;

/// <summary>
/// Who a process is, from <c>/proc/&lt;pid&gt;/status</c>: its user ids and its effective capability
/// set. Readable for every process (unlike <c>io</c> or <c>fd/</c>), which is what lets the agent say
/// why it cannot read the others. Missing lines stay null.
/// </summary>
internal readonly record struct ProcCredentials(
    int? RealUid,                 // Uid, first of four (real, effective, saved, filesystem)
    int? EffectiveUid,            // Uid, second
    ulong? EffectiveCapabilities) // CapEff, a hexadecimal bit mask (bit numbers of capabilities(7))
{
    /// <summary>capabilities(7): CAP_SYS_PTRACE is bit 19.</summary>
    public const int CapSysPtrace = 19;

    /// <summary>capabilities(7): CAP_DAC_OVERRIDE is bit 1 (bypasses file permission checks).</summary>
    public const int CapDacOverride = 1;

    /// <summary>Null when the mask is unknown.</summary>
    public bool? Has(int capability) => EffectiveCapabilities is { } mask ? (mask & (1UL << capability)) != 0 : null;

    public static ProcCredentials Parse(ReadOnlySpan<byte> text)
    {
        int? real = null, effective = null;
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
            if (key.SequenceEqual("Uid"u8))
            {
                real = NextId(ref value);
                effective = NextId(ref value);
            }
            else if (key.SequenceEqual("CapEff"u8))
            {
                caps = ParseHex(value.Trim("\t "u8));
            }
        }

        return new ProcCredentials(real, effective, caps);
    }

    private static int? NextId(ref ReadOnlySpan<byte> value)
    {
        value = value.TrimStart("\t "u8);
        var end = value.IndexOfAny("\t "u8);
        var token = end < 0 ? value : value[..end];
        value = end < 0 ? default : value[end..];
        // Uids are unsigned 32-bit; (uid_t)-1 never names a real user.
        return AsciiParsing.TryParseUInt64(token, out var id) && id < int.MaxValue && token.Length > 0 ? (int)id : null;
    }

    private static ulong? ParseHex(ReadOnlySpan<byte> hex)
    {
        if (hex.IsEmpty || hex.Length > 16)
        {
            return null;
        }

        ulong v = 0;
        foreach (var b in hex)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return null;
            }

            v = (v << 4) | (uint)digit;
        }

        return v;
    }
}
