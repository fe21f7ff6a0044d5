using System.Text;

namespace Agent.Procfs;

/// <summary>
/// <c>/proc/&lt;pid&gt;/cgroup</c>: <c>hierarchy-ID:controller-list:path</c> per line (cgroups(7)).
/// The unified (v2) hierarchy is the line <c>0::/path</c>; on a v1 or hybrid machine the memory
/// controller has its own line (<c>4:memory:/path</c>). Paths are relative to the <b>reader's</b>
/// cgroup namespace root, so a process of another namespace may show <c>/../x</c>.
/// </summary>
internal readonly record struct ProcCgroup(string? UnifiedPath, string? MemoryV1Path)
{
    public static ProcCgroup Parse(ReadOnlySpan<byte> text)
    {
        string? unified = null, memory = null;
        while (!text.IsEmpty)
        {
            var line = AsciiParsing.NextLine(ref text);
            var first = line.IndexOf((byte)':');
            if (first <= 0)
            {
                continue;
            }

            var afterId = line[(first + 1)..];
            var second = afterId.IndexOf((byte)':');
            if (second < 0)
            {
                continue;
            }

            var controllers = afterId[..second];
            var path = afterId[(second + 1)..];
            if (path.IsEmpty || path[0] != (byte)'/')
            {
                continue;
            }

            if (controllers.IsEmpty && line[..first].SequenceEqual("0"u8))
            {
                unified = Encoding.UTF8.GetString(path);
            }
            else if (HasController(controllers, "memory"u8))
            {
                memory = Encoding.UTF8.GetString(path);
            }
        }

        return new ProcCgroup(unified, memory);
    }

    private static bool HasController(ReadOnlySpan<byte> list, ReadOnlySpan<byte> name)
    {
        while (!list.IsEmpty)
        {
            var comma = list.IndexOf((byte)',');
            var item = comma < 0 ? list : list[..comma];
            if (item.SequenceEqual(name))
            {
                return true;
            }

            list = comma < 0 ? default : list[(comma + 1)..];
        }

        return false;
    }
}
