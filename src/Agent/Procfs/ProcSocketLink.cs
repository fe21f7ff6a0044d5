namespace Agent.Procfs;

/// <summary>The target of an <c>fd/&lt;n&gt;</c> link that names a socket: <c>socket:[inode]</c>.</summary>
internal static class ProcSocketLink
{
    public static bool TryParseInode(string? target, out ulong inode)
    {
        inode = 0;
        const string prefix = "socket:[";
        return target is not null
            && target.StartsWith(prefix, StringComparison.Ordinal)
            && target.EndsWith(']')
            && target.Length > prefix.Length + 1
            && ulong.TryParse(target.AsSpan(prefix.Length, target.Length - prefix.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out inode);
    }
}
