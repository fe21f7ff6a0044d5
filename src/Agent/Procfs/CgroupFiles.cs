namespace Agent.Procfs;

/// <summary>
/// The two value formats of cgroup interface files (Documentation/admin-guide/cgroup-v2.rst,
/// "Interface Files"): a single value (<c>memory.current</c>, <c>memory.max</c> which may be
/// <c>max</c>; v1 <c>memory.usage_in_bytes</c>, <c>memory.limit_in_bytes</c>) and "flat keyed"
/// lines <c>key value</c> (v2 <c>memory.events</c>, v1 <c>memory.oom_control</c>).
/// </summary>
internal static class CgroupFiles
{
    /// <summary>
    /// v1 prints "no limit" as PAGE_COUNTER_MAX pages in bytes (9223372036854771712 with 4 KiB
    /// pages); anything at or above 2^62 is no real limit on any machine.
    /// </summary>
    private const ulong UnlimitedThreshold = 1UL << 62;

    /// <summary>A single non-negative value (nothing else but blanks after it); null when malformed.</summary>
    public static long? ParseValue(ReadOnlySpan<byte> text)
    {
        var rest = text;
        var token = AsciiParsing.NextToken(ref rest).TrimEnd((byte)'\n');
        return rest.Trim(" \n"u8).IsEmpty && AsciiParsing.TryParseDecimal(token, out var v) && v <= long.MaxValue ? (long)v : null;
    }

    /// <summary>
    /// A limit: <c>max</c> (v2) or a v1 value at or above 2^62 means unlimited
    /// (<paramref name="unlimited"/> true, result null); malformed is null with unlimited false.
    /// </summary>
    public static long? ParseLimit(ReadOnlySpan<byte> text, out bool unlimited)
    {
        var rest = text;
        var token = AsciiParsing.NextToken(ref rest).TrimEnd((byte)'\n');
        unlimited = token.SequenceEqual("max"u8);
        if (unlimited)
        {
            return null;
        }

        if (!AsciiParsing.TryParseDecimal(token, out var v))
        {
            return null;
        }

        if (v >= UnlimitedThreshold)
        {
            unlimited = true;
            return null;
        }

        return (long)v;
    }

    /// <summary>
    /// The next line of a flat-keyed file: its first token and what follows it (the value, as each
    /// parser reads it); false once the text is used up. Every flat-keyed parser walks its file with it.
    /// </summary>
    public static bool NextEntry(ref ReadOnlySpan<byte> text, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> rest)
    {
        if (text.IsEmpty)
        {
            key = rest = default;
            return false;
        }

        var line = AsciiParsing.NextLine(ref text);
        key = AsciiParsing.NextToken(ref line);
        rest = line;
        return true;
    }

    /// <summary>The value of <paramref name="key"/> in a flat-keyed file; null when absent or malformed.</summary>
    public static long? FlatKeyed(ReadOnlySpan<byte> text, ReadOnlySpan<byte> key)
    {
        while (NextEntry(ref text, out var name, out var rest))
        {
            if (!name.SequenceEqual(key))
            {
                continue;
            }

            var value = AsciiParsing.NextToken(ref rest);
            return AsciiParsing.TryParseDecimal(value, out var v) && v <= long.MaxValue ? (long)v : null;
        }

        return null;
    }
}
