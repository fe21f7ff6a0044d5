namespace Agent.Profiling;

/// <summary>
/// Code ranges of a .NET target's methods, from the runtime's MethodLoadVerbose (jitted during the
/// window) and MethodDCEndVerbose (the rundown at the window's end: every method with code then,
/// ready-to-run ones included) events; resolves a stack address to <c>Namespace.Type.Method</c>.
/// </summary>
internal sealed class MethodTable
{
    private readonly List<(ulong Start, ulong End, ProfileFrame Frame)> _ranges = [];
    private readonly Dictionary<string, ProfileFrame> _frames = new(StringComparer.Ordinal);
    private bool _sorted = true;

    public int Count => _ranges.Count;

    public void Add(ulong start, uint size, string typeName, string methodName)
    {
        if (size == 0)
        {
            return;
        }

        var name = typeName.Length == 0 ? methodName : $"{typeName}.{methodName}";
        if (!_frames.TryGetValue(name, out var frame))
        {
            _frames[name] = frame = new ProfileFrame(name);
        }

        _ranges.Add((start, start + size, frame));
        _sorted = false;
    }

    /// <summary>The method whose code holds <paramref name="address"/>, or null.</summary>
    public ProfileFrame? Find(ulong address)
    {
        if (!_sorted)
        {
            _ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
            _sorted = true;
        }

        int lo = 0, hi = _ranges.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var r = _ranges[mid];
            if (address < r.Start)
            {
                hi = mid - 1;
            }
            else if (address >= r.End)
            {
                lo = mid + 1;
            }
            else
            {
                return r.Frame;
            }
        }

        return null;
    }

    /// <summary>Reads the payload shared by MethodLoadVerbose and MethodDCEndVerbose (ClrEtwAll.man, MethodLoadVerbose_V1/V2).</summary>
    public bool TryAdd(ReadOnlySpan<byte> payload)
    {
        // MethodID u64, ModuleID u64, MethodStartAddress u64, MethodSize u32, MethodToken u32,
        // MethodFlags u32, then MethodNamespace, MethodName, MethodSignature (UTF-16, NUL-ended).
        if (payload.Length < 36)
        {
            return false;
        }

        var start = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]);
        var size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(payload[24..]);
        var rest = payload[36..];
        if (!TryReadString(ref rest, out var ns) || !TryReadString(ref rest, out var method))
        {
            return false;
        }

        Add(start, size, ns, method);
        return true;
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> span, out string value)
    {
        for (var i = 0; i + 1 < span.Length; i += 2)
        {
            if (span[i] == 0 && span[i + 1] == 0)
            {
                value = System.Text.Encoding.Unicode.GetString(span[..i]);
                span = span[(i + 2)..];
                return true;
            }
        }

        value = "";
        return false;
    }
}
