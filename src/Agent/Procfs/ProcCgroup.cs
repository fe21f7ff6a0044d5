using System.Text;

namespace Agent.Procfs;

/// <summary>
/// <c>/proc/&lt;pid&gt;/cgroup</c>: <c>hierarchy-ID:controller-list:path</c> per line (cgroups(7)).
/// The unified (v2) hierarchy is the line <c>0::/path</c>; on a v1 or hybrid machine each mounted
/// v1 hierarchy has its own line (<c>4:memory:/path</c>, <c>1:cpu,cpuacct:/path</c>), and a
/// controller bound to v1 is absent from v2. Paths are relative to the <b>reader's</b> cgroup
/// namespace root, so a process of another namespace may show <c>/../x</c>.
/// </summary>
internal sealed class ProcCgroup
{
    private readonly (string Controllers, string Path)[] _v1;

    private ProcCgroup(string? unifiedPath, (string, string)[] v1)
    {
        UnifiedPath = unifiedPath;
        _v1 = v1;
    }

    /// <summary>The path in the unified hierarchy (<c>0::</c>), null when the process has none (pure v1).</summary>
    public string? UnifiedPath { get; }

    /// <summary>The path of the v1 hierarchy that carries the memory controller, null without one.</summary>
    public string? MemoryV1Path => V1Path("memory");

    /// <summary>The path of the v1 hierarchy carrying <paramref name="controller"/> (<c>memory</c>, <c>cpu</c>, <c>cpuacct</c>, <c>pids</c>); null when that controller is not on v1.</summary>
    public string? V1Path(string controller)
    {
        foreach (var (controllers, path) in _v1)
        {
            if (HasController(controllers, controller))
            {
                return path;
            }
        }

        return null;
    }

    public static ProcCgroup Parse(ReadOnlySpan<byte> text)
    {
        string? unified = null;
        var v1 = new List<(string, string)>();
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

            if (controllers.IsEmpty)
            {
                if (line[..first].SequenceEqual("0"u8))
                {
                    unified ??= Encoding.UTF8.GetString(path);
                }
            }
            else
            {
                v1.Add((Encoding.UTF8.GetString(controllers), Encoding.UTF8.GetString(path)));
            }
        }

        return new ProcCgroup(unified, [.. v1]);
    }

    private static bool HasController(string list, string name)
    {
        foreach (var range in list.AsSpan().Split(','))
        {
            if (list.AsSpan()[range].SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }
}
