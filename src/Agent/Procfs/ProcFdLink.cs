namespace Agent.Procfs;

/// <summary>
/// The target of one <c>/proc/&lt;pid&gt;/fd/&lt;n&gt;</c> symbolic link, classified. The kernel
/// prints pseudo-files as <c>type:[inode]</c> (sockets, pipes) or <c>anon_inode:name</c>
/// (with or without brackets); real files as their absolute path.
/// </summary>
internal readonly record struct ProcFdLink(FdKind Kind, ulong Inode)
{
    public static ProcFdLink Classify(ReadOnlySpan<byte> target)
    {
        if (target.IsEmpty)
        {
            return new ProcFdLink(FdKind.Other, 0);
        }

        if (target[0] == (byte)'/')
        {
            return new ProcFdLink(FdKind.File, 0);
        }

        if (target.StartsWith("socket:"u8))
        {
            return BracketInode(target["socket:"u8.Length..], out var inode) ? new ProcFdLink(FdKind.Socket, inode) : new ProcFdLink(FdKind.Other, 0);
        }

        if (target.StartsWith("pipe:"u8))
        {
            return BracketInode(target["pipe:"u8.Length..], out var inode) ? new ProcFdLink(FdKind.Pipe, inode) : new ProcFdLink(FdKind.Other, 0);
        }

        return target.StartsWith("anon_inode:"u8) ? new ProcFdLink(FdKind.AnonInode, 0) : new ProcFdLink(FdKind.Other, 0);
    }

    /// <summary>"[12345]" → 12345; nothing else qualifies.</summary>
    private static bool BracketInode(ReadOnlySpan<byte> s, out ulong inode)
    {
        inode = 0;
        if (s.Length < 3 || s[0] != (byte)'[' || s[^1] != (byte)']')
        {
            return false;
        }

        var digits = s[1..^1];
        return AsciiParsing.TryParseDecimal(digits, out inode);
    }
}
