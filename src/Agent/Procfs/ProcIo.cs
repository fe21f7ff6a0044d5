namespace Agent.Procfs;

/// <summary>
/// <c>/proc/&lt;pid&gt;/io</c>. <see cref="ReadBytes"/>/<see cref="WriteBytes"/> count bytes that
/// reached the storage layer (what process-exporter and client_golang report);
/// <c>rchar</c>/<c>wchar</c> also count pipes and sockets. Readable only by the process's
/// user or with CAP_SYS_PTRACE.
/// </summary>
internal readonly record struct ProcIo(ulong? ReadChars, ulong? WriteChars, ulong? ReadBytes, ulong? WriteBytes)
{
    public static ProcIo Parse(ReadOnlySpan<byte> text)
    {
        ulong? rchar = null, wchar = null, readBytes = null, writeBytes = null;
        while (!text.IsEmpty)
        {
            var line = AsciiParsing.NextLine(ref text);
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !AsciiParsing.TryParseUInt64(line[(colon + 1)..], out var value))
            {
                continue;
            }

            var key = line[..colon];
            if (key.SequenceEqual("rchar"u8))
            {
                rchar = value;
            }
            else if (key.SequenceEqual("wchar"u8))
            {
                wchar = value;
            }
            else if (key.SequenceEqual("read_bytes"u8))
            {
                readBytes = value;
            }
            else if (key.SequenceEqual("write_bytes"u8))
            {
                writeBytes = value;
            }
        }

        return new ProcIo(rchar, wchar, readBytes, writeBytes);
    }
}
