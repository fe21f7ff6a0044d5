using System.Buffers.Binary;
using System.Net;

namespace Agent.Procfs;

/// <summary>One row of <c>net/tcp</c> or <c>net/tcp6</c>: a TCP socket of the reader's network namespace.</summary>
/// <param name="Inode">The socket's inode: what <c>fd/&lt;n&gt; → socket:[inode]</c> points at. 0 for
/// sockets no process holds any more (TIME_WAIT).</param>
internal readonly record struct TcpSocket(IPEndPoint Local, IPEndPoint Remote, TcpState State, int Uid, ulong Inode);

/// <summary>
/// <c>/proc/&lt;pid&gt;/net/tcp</c> and <c>tcp6</c> (the target's network namespace, which in a pod
/// is the pod's). Columns (net/ipv4/tcp_ipv4.c, <c>get_tcp4_sock</c>): <c>sl local rem st
/// tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...</c>. Addresses are hex of the
/// kernel's in-memory 32-bit words (so byte order is the host's: little-endian here), ports are
/// hex in host order.
/// </summary>
internal static class ProcNetTcp
{
    /// <summary>
    /// The one reader of <c>tcp</c> and <c>tcp6</c> in a <c>net/</c> directory (a process's, or the
    /// procfs root's: the reader's namespace), each read whole (they grow with the number of sockets,
    /// so no fixed buffer). A missing file (no IPv6) adds nothing.
    /// </summary>
    public static void ReadAll(string netDirectory, List<TcpSocket> into)
    {
        foreach (var file in (ReadOnlySpan<string>)["tcp", "tcp6"])
        {
            try
            {
                Parse(File.ReadAllBytes(Path.Join(netDirectory, file)), into);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // no IPv6, or the process exited
            }
        }
    }

    /// <summary>Parses every row; the header and malformed rows are skipped.</summary>
    public static void Parse(ReadOnlySpan<byte> text, List<TcpSocket> into)
    {
        while (!text.IsEmpty)
        {
            if (TryParseLine(AsciiParsing.NextLine(ref text), out var socket))
            {
                into.Add(socket);
            }
        }
    }

    public static bool TryParseLine(ReadOnlySpan<byte> line, out TcpSocket socket)
    {
        socket = default;
        var rest = line;
        var sl = AsciiParsing.NextToken(ref rest);
        if (sl.IsEmpty || sl[^1] != (byte)':')
        {
            return false; // header ("sl local_address ...") or garbage
        }

        if (!TryParseEndpoint(AsciiParsing.NextToken(ref rest), out var local)
            || !TryParseEndpoint(AsciiParsing.NextToken(ref rest), out var remote)
            || !AsciiParsing.TryParseHex(AsciiParsing.NextToken(ref rest), out var state) || state > 0xFF)
        {
            return false;
        }

        _ = AsciiParsing.NextToken(ref rest); // tx_queue:rx_queue
        _ = AsciiParsing.NextToken(ref rest); // tr:tm->when
        _ = AsciiParsing.NextToken(ref rest); // retrnsmt
        var uidToken = AsciiParsing.NextToken(ref rest);
        _ = AsciiParsing.NextToken(ref rest); // timeout
        var inodeToken = AsciiParsing.NextToken(ref rest);
        if (!AsciiParsing.TryParseDecimal(uidToken, out var uid) || uid > int.MaxValue
            || !AsciiParsing.TryParseDecimal(inodeToken, out var inode))
        {
            return false;
        }

        var tcpState = Enum.IsDefined((TcpState)state) ? (TcpState)state : TcpState.Unknown;
        socket = new TcpSocket(local, remote, tcpState, (int)uid, inode);
        return true;
    }

    /// <summary>"0100007F:1F90" (IPv4, 8 hex digits) or 32 hex digits (IPv6), then ':' and a 4-digit hex port.</summary>
    internal static bool TryParseEndpoint(ReadOnlySpan<byte> token, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = token.IndexOf((byte)':');
        if (colon < 0 || !AsciiParsing.TryParseHex(token[(colon + 1)..], out var port) || port > ushort.MaxValue)
        {
            return false;
        }

        var hex = token[..colon];
        if (hex.Length is not (8 or 32))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        var words = hex.Length / 8;
        for (var w = 0; w < words; w++)
        {
            if (!AsciiParsing.TryParseHex(hex.Slice(w * 8, 8), out var word))
            {
                return false;
            }

            // The kernel printed the 32-bit word as an integer of the host's byte order.
            var dest = bytes.Slice(w * 4, 4);
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(dest, (uint)word);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(dest, (uint)word);
            }
        }

        endpoint = new IPEndPoint(new IPAddress(bytes[..(words * 4)]), (int)port);
        return true;
    }
}
