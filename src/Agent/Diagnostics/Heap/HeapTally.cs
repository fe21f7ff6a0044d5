using System.Runtime.InteropServices;
using System.Text;

namespace Agent.Diagnostics.Heap;

/// <summary>
/// Sums the heap walk's objects per type id and remembers the walk's type names; the objects are
/// never kept, so the agent's memory grows with the number of types, not of objects.
/// </summary>
internal sealed class HeapTally
{
    // Generic arguments nest; a hostile or broken stream could make a cycle of type ids.
    private const int MaxNameDepth = 8;

    private readonly Dictionary<ulong, Totals> _byType = [];
    private readonly Dictionary<ulong, TypeName> _names = [];

    public long Objects { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>References the walked objects hold (the walk's edges), to size a graph before walking again.</summary>
    public long References { get; private set; }

    public void AddObject(ulong typeId, ulong size, ulong references)
    {
        References += (long)Math.Min(references, int.MaxValue);
        AddObject(typeId, size);
    }

    public void AddObject(ulong typeId, ulong size)
    {
        ref var totals = ref CollectionsMarshal.GetValueRefOrAddDefault(_byType, typeId, out _);
        totals.Count++;
        totals.Bytes += (long)Math.Min(size, long.MaxValue / 2);
        Objects++;
        Bytes += (long)Math.Min(size, long.MaxValue / 2);
    }

    public void AddType(ulong typeId, string name, uint flags, ulong[] typeParameters) =>
        _names[typeId] = new TypeName(name, flags, typeParameters);

    /// <summary>The readable name of a type id: generic arguments and array ranks spelled out from the walk's own type events.</summary>
    public string NameOf(ulong typeId) => NameOf(typeId, 0);

    /// <summary>Count and bytes per readable type name (types of one name in several modules are summed): what two walks are compared by.</summary>
    public Dictionary<string, (long Count, long Bytes)> ByName()
    {
        var byName = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        foreach (var (id, totals) in _byType)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(byName, NameOf(id), out _);
            entry = (entry.Count + totals.Count, entry.Bytes + totals.Bytes);
        }

        return byName;
    }

    /// <summary>The type ids the walk saw under one of these names.</summary>
    public HashSet<ulong> IdsNamed(IReadOnlySet<string> names) => [.. _byType.Keys.Where(id => names.Contains(NameOf(id)))];

    public HeapSummary Summarise(string target, int pid, int gcNumber, int top)
    {
        var all = _byType.Select(t => new HeapTypeSummary(NameOf(t.Key), t.Value.Count, t.Value.Bytes)).ToList();
        return new HeapSummary(
            target,
            pid,
            gcNumber,
            Objects,
            Bytes,
            all.Count,
            all.OrderByDescending(t => t.Bytes).ThenBy(t => t.Type, StringComparer.Ordinal).Take(top).ToList(),
            all.OrderByDescending(t => t.Count).ThenBy(t => t.Type, StringComparer.Ordinal).Take(top).ToList());
    }

    private string NameOf(ulong typeId, int depth)
    {
        if (!_names.TryGetValue(typeId, out var type) || depth > MaxNameDepth)
        {
            return $"type 0x{typeId:x}";
        }

        if ((type.Flags & GcHeapEvents.ArrayFlag) != 0)
        {
            if (type.Name.EndsWith(']') || type.Parameters.Length != 1)
            {
                return type.Name;
            }

            var rank = (int)((type.Flags >> 8) & 0x3F);
            return NameOf(type.Parameters[0], depth + 1) + "[" + new string(',', Math.Max(rank - 1, 0)) + "]";
        }

        if (type.Parameters.Length == 0 || type.Name.AsSpan().IndexOfAny("<[") >= 0)
        {
            return type.Name;
        }

        var name = new StringBuilder(type.Name.Length + (type.Parameters.Length * 16));
        var tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        name.Append(tick < 0 ? type.Name : type.Name.AsSpan(0, tick)).Append('<');
        for (var i = 0; i < type.Parameters.Length; i++)
        {
            name.Append(i == 0 ? "" : ",").Append(NameOf(type.Parameters[i], depth + 1));
        }

        return name.Append('>').ToString();
    }

    private struct Totals
    {
        public long Count;
        public long Bytes;
    }

    private readonly record struct TypeName(string Name, uint Flags, ulong[] Parameters);
}
