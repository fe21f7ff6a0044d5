namespace Agent.Procfs;

/// <summary>
/// The "Max open files" line of <c>/proc/&lt;pid&gt;/limits</c>. The file is a fixed-width
/// table: "Limit" (26 chars), "Soft Limit", "Hard Limit", "Units". A value of
/// <c>unlimited</c> is reported as <see cref="double.PositiveInfinity"/>.
/// </summary>
internal readonly record struct ProcLimits(double? MaxOpenFilesSoft, double? MaxOpenFilesHard)
{
    public static ProcLimits Parse(ReadOnlySpan<byte> text)
    {
        while (!text.IsEmpty)
        {
            var line = AsciiParsing.NextLine(ref text);
            if (!line.StartsWith("Max open files"u8))
            {
                continue;
            }

            var rest = line["Max open files"u8.Length..];
            var soft = ParseLimit(AsciiParsing.NextToken(ref rest));
            var hard = ParseLimit(AsciiParsing.NextToken(ref rest));
            return new ProcLimits(soft, hard);
        }

        return default;
    }

    private static double? ParseLimit(ReadOnlySpan<byte> token)
    {
        if (token.SequenceEqual("unlimited"u8))
        {
            return double.PositiveInfinity;
        }

        // The whole column is the number: "12abc" or "1a2" is not a limit of 12 or 1.
        return AsciiParsing.TryParseDecimal(token, out var v) ? v : null;
    }
}
