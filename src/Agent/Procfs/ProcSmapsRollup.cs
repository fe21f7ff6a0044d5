namespace Agent.Procfs;

/// <summary>
/// <c>/proc/&lt;pid&gt;/smaps_rollup</c> (Linux 4.14+): the sums of every mapping's <c>smaps</c>
/// lines, in one read instead of a walk of thousands of mappings. Values in bytes (the kernel
/// prints kB). Lines an older kernel does not print (<c>Pss_Anon</c>, <c>Pss_File</c>,
/// <c>Pss_Shmem</c> came in 5.10) stay null. Readable only by the process's user or with
/// CAP_SYS_PTRACE, like <c>io</c>.
/// </summary>
internal readonly record struct ProcSmapsRollup(
    long? Rss,          // Rss: resident, shared pages counted in full
    long? Pss,          // Pss: resident, shared pages divided among their sharers
    long? PssAnon,      // Pss_Anon: the anonymous part of Pss (heap, stacks)
    long? PssFile,      // Pss_File: the file-backed part of Pss (code, mapped files)
    long? PssShmem,     // Pss_Shmem: the shared-memory part of Pss (tmpfs, memfd, SysV)
    long? Anonymous,    // Anonymous: anonymous resident pages, not divided
    long? Swap,         // Swap: swapped-out anonymous pages
    long? SwapPss)      // SwapPss: Swap divided among sharers
{
    public static ProcSmapsRollup Parse(ReadOnlySpan<byte> text)
    {
        long? rss = null, pss = null, pssAnon = null, pssFile = null, pssShmem = null, anon = null, swap = null, swapPss = null;
        while (!text.IsEmpty)
        {
            // The first line is the "[rollup]" pseudo-mapping header; it has no "Key:" shape that matches below.
            var line = AsciiParsing.NextLine(ref text);
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon];
            var value = line[(colon + 1)..];
            if (key.SequenceEqual("Rss"u8))
            {
                rss = AsciiParsing.Kilobytes(value);
            }
            else if (key.SequenceEqual("Pss"u8))
            {
                pss = AsciiParsing.Kilobytes(value);
            }
            else if (key.SequenceEqual("Pss_Anon"u8))
            {
                pssAnon = AsciiParsing.Kilobytes(value);
            }
            else if (key.SequenceEqual("Pss_File"u8))
            {
                pssFile = AsciiParsing.Kilobytes(value);
            }
            else if (key.SequenceEqual("Pss_Shmem"u8))
            {
                pssShmem = AsciiParsing.Kilobytes(value);
            }
            else if (key.SequenceEqual("Anonymous"u8))
            {
                anon = AsciiParsing.Kilobytes(value);
            }
            else if (key.SequenceEqual("Swap"u8))
            {
                swap = AsciiParsing.Kilobytes(value);
            }
            else if (key.SequenceEqual("SwapPss"u8))
            {
                swapPss = AsciiParsing.Kilobytes(value);
            }
        }

        return new ProcSmapsRollup(rss, pss, pssAnon, pssFile, pssShmem, anon, swap, swapPss);
    }
}
