namespace Agent.Procfs;

/// <summary>Span helpers shared by the /proc parsers: kernel text is ASCII, numbers are decimal.</summary>
internal static class AsciiParsing
{
    /// <summary>Parses an unsigned decimal at the start of <paramref name="s"/> (after blanks).</summary>
    public static bool TryParseUInt64(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        var i = 0;
        while (i < s.Length && (s[i] == (byte)' ' || s[i] == (byte)'\t'))
        {
            i++;
        }

        var start = i;
        while (i < s.Length && (uint)(s[i] - '0') <= 9)
        {
            var digit = (ulong)(s[i] - '0');
            if (value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
            i++;
        }

        return i > start;
    }

    /// <summary>
    /// The strict rule for a whole token that must be a number: one or more decimal digits and nothing
    /// else (no sign, no blank, no trailing letter: "12abc" is not 12), within 64 bits.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> token, out ulong value)
    {
        value = 0;
        return !token.IsEmpty && token.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0 && TryParseUInt64(token, out value);
    }

    /// <summary>Parses a signed decimal (the kernel prints some stat fields as signed).</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        var negative = s.Length > 0 && s[0] == (byte)'-';
        if (!TryParseUInt64(negative ? s[1..] : s, out var magnitude) || magnitude > long.MaxValue)
        {
            return false;
        }

        value = negative ? -(long)magnitude : (long)magnitude;
        return true;
    }

    /// <summary>Splits off the next space-separated token.</summary>
    public static ReadOnlySpan<byte> NextToken(scoped ref ReadOnlySpan<byte> s)
    {
        var start = 0;
        while (start < s.Length && s[start] == (byte)' ')
        {
            start++;
        }

        s = s[start..];
        var end = s.IndexOf((byte)' ');
        if (end < 0)
        {
            end = s.Length;
        }

        var token = s[..end];
        s = s[end..];
        return token;
    }

    /// <summary>Splits off the next line (without its newline).</summary>
    public static ReadOnlySpan<byte> NextLine(scoped ref ReadOnlySpan<byte> s)
    {
        var end = s.IndexOf((byte)'\n');
        if (end < 0)
        {
            var last = s;
            s = default;
            return last;
        }

        var line = s[..end];
        s = s[(end + 1)..];
        return line;
    }

    /// <summary>
    /// The kernel's <c>N kB</c> value (<c>status</c>, <c>smaps_rollup</c>, <c>meminfo</c>): "   1636 kB" → bytes;
    /// anything else (no unit, another unit, a sign, overflow) is null. The one rule for every such line.
    /// </summary>
    public static long? Kilobytes(ReadOnlySpan<byte> value)
    {
        var rest = value.Trim("\t "u8); // status pads with a tab, smaps_rollup with spaces
        var number = NextToken(ref rest);
        var unit = NextToken(ref rest);
        if (!unit.SequenceEqual("kB"u8) || !TryParseDecimal(number, out var kb) || kb > long.MaxValue / 1024)
        {
            return null;
        }

        return (long)kb * 1024;
    }

    /// <summary>Hexadecimal digits, either case, at most 16 (<c>net/tcp</c> addresses and states, <c>CapEff</c>).</summary>
    public static bool TryParseHex(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 16)
        {
            return false;
        }

        foreach (var c in s)
        {
            int digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }
}
