using System.Text;

namespace Agent.Procfs;

/// <summary>
/// The cgroup mounts of a mount namespace, from <c>/proc/&lt;pid&gt;/mountinfo</c> (proc(5)):
/// <c>id parent major:minor root mount-point options [optional fields] - fstype source super-options</c>.
/// The root field of a cgroup mount is shown relative to the <b>reader's</b> cgroup namespace, like
/// <c>/proc/&lt;pid&gt;/cgroup</c> (measured here: a target mounting its own cgroup shows
/// <c>/../app</c> to a reader in a sibling namespace), so the two compare directly. Paths escape
/// space, tab, newline and backslash as octal (<c>\040</c>). A mount hidden by a later mount on
/// the same point or on one of its parents (a container mounting cgroup2 over the host's
/// <c>/sys/fs/cgroup</c> tree) is not reachable and is skipped.
/// </summary>
internal sealed class ProcMountInfo
{
    private readonly (string Controllers, CgroupMount Mount)[] _v1;

    private ProcMountInfo(CgroupMount? unified, (string, CgroupMount)[] v1)
    {
        Unified = unified;
        _v1 = v1;
    }

    /// <summary>The visible cgroup2 mount, if any.</summary>
    public CgroupMount? Unified { get; }

    /// <summary>The visible v1 mount of the memory controller, if any.</summary>
    public CgroupMount? MemoryV1 => V1("memory");

    /// <summary>The visible v1 mount whose super-options name <paramref name="controller"/>.</summary>
    public CgroupMount? V1(string controller)
    {
        foreach (var (controllers, mount) in _v1)
        {
            if (HasOption(controllers, controller))
            {
                return mount;
            }
        }

        return null;
    }

    public static ProcMountInfo Parse(ReadOnlySpan<byte> text)
    {
        var points = new List<string>();
        var cgroups = new List<(int Index, bool V2, string Options, CgroupMount Mount)>();
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

            var point = Unescape(mountPoint);
            points.Add(point);
            var v2 = fsType.SequenceEqual("cgroup2"u8);
            if (v2 || fsType.SequenceEqual("cgroup"u8))
            {
                cgroups.Add((points.Count - 1, v2, Encoding.UTF8.GetString(superOptions), new CgroupMount(Unescape(root), point)));
            }
        }

        CgroupMount? unified = null;
        var v1 = new List<(string, CgroupMount)>();
        foreach (var (index, isV2, options, mount) in cgroups)
        {
            if (Shadowed(points, index))
            {
                continue;
            }

            if (isV2)
            {
                unified ??= mount;
            }
            else
            {
                v1.Add((options, mount));
            }
        }

        return new ProcMountInfo(unified, [.. v1]);
    }

    /// <summary>True when a later mount sits on the same point or on one of its parent directories.</summary>
    private static bool Shadowed(List<string> points, int index)
    {
        var point = points[index];
        for (var j = index + 1; j < points.Count; j++)
        {
            var later = points[j];
            if (later == point || later == "/" || point.StartsWith(later.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasOption(string options, string name)
    {
        foreach (var range in options.AsSpan().Split(','))
        {
            if (options.AsSpan()[range].SequenceEqual(name))
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
