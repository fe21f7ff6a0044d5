using System.Text;

namespace Agent.Procfs;

/// <summary>
/// The cgroup mounts from <c>/proc/self/mountinfo</c> (proc(5)): <c>id parent major:minor root
/// mount-point options [optional fields] - fstype source super-options</c>. The reader's own
/// mount table matters because the reader opens the files. Paths escape space, tab, newline and
/// backslash as octal (<c>\040</c>).
/// </summary>
internal readonly record struct ProcMountInfo(CgroupMount? Unified, CgroupMount? MemoryV1)
{
    public static ProcMountInfo Parse(ReadOnlySpan<byte> text)
    {
        CgroupMount? unified = null, memory = null;
        while (!text.IsEmpty)
        {
            var line = AsciiParsing.NextLine(ref text);
            var separator = line.IndexOf(" - "u8);
            if (separator < 0)
            {
                continue;
            }

            var head = line[..separator];
            var tail = line[(separator + 3)..];
            _ = AsciiParsing.NextToken(ref head); // mount id
            _ = AsciiParsing.NextToken(ref head); // parent id
            _ = AsciiParsing.NextToken(ref head); // major:minor
            var root = AsciiParsing.NextToken(ref head);
            var mountPoint = AsciiParsing.NextToken(ref head);
            var fsType = AsciiParsing.NextToken(ref tail);
            _ = AsciiParsing.NextToken(ref tail); // source
            var superOptions = AsciiParsing.NextToken(ref tail);
            if (root.IsEmpty || mountPoint.IsEmpty || root[0] != (byte)'/' || mountPoint[0] != (byte)'/')
            {
                continue;
            }

            if (fsType.SequenceEqual("cgroup2"u8))
            {
                unified ??= new CgroupMount(Unescape(root), Unescape(mountPoint));
            }
            else if (fsType.SequenceEqual("cgroup"u8) && HasOption(superOptions, "memory"u8))
            {
                memory ??= new CgroupMount(Unescape(root), Unescape(mountPoint));
            }
        }

        return new ProcMountInfo(unified, memory);
    }

    private static bool HasOption(ReadOnlySpan<byte> options, ReadOnlySpan<byte> name)
    {
        foreach (var range in options.Split((byte)','))
        {
            if (options[range].SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Undoes the kernel's <c>\ooo</c> octal escapes; anything else is kept as it is.</summary>
    internal static string Unescape(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(s);
        }

        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\' && i + 3 < s.Length && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                var value = ((s[i + 1] - '0') * 64) + ((s[i + 2] - '0') * 8) + (s[i + 3] - '0');
                if (value <= 0xFF)
                {
                    bytes.Add((byte)value);
                    i += 3;
                    continue;
                }
            }

            bytes.Add(s[i]);
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
