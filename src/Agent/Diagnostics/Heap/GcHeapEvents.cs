using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Agent.Diagnostics.Heap;

/// <summary>
/// Reads the payloads of the runtime's GC heap-walk events by hand (layouts from the runtime's
/// ClrEtwAll.man), so the agent needs no generated parser for them: GCStart/GCStop to know which
/// collection walked the heap, GCBulkNode for the objects, GCBulkType for their type names.
/// Every reader answers false for a payload shorter than it says, and never reads past its end.
/// </summary>
internal static class GcHeapEvents
{
    /// <summary>Microsoft-Windows-DotNETRuntime.</summary>
    public static readonly Guid RuntimeProvider = new("e13c0d23-ccbc-4e12-931b-d9cc2eee27e4");

    public const int GcStartId = 1;
    public const int GcStopId = 2;
    public const int GcBulkNodeId = 18;
    public const int GcBulkTypeId = 15;
    public const int GcBulkEdgeId = 19;

    /// <summary>GCType of GCStart: 1 is a background GC, which walks no heap.</summary>
    public const uint BackgroundGc = 1;

    /// <summary>TypeFlags of BulkType: the type is an array; bits 8-13 hold its rank.</summary>
    public const uint ArrayFlag = 0x8;

    // GCBulkNode values: Address (pointer), Size, TypeID, EdgeCount — four 8-byte fields on 64-bit targets.
    private const int NodeSize = 32;

    // GCBulkEdge values: Value (the referenced object's address, a pointer), ReferencingFieldID (UInt32).
    private const int EdgeSize = 12;

    /// <summary>GCStart_V1+: Count, Depth, Reason, Type (UInt32 each), ClrInstanceID...</summary>
    public static bool TryReadGcStart(ReadOnlySpan<byte> payload, out uint count, out uint depth, out uint type)
    {
        count = depth = type = 0;
        if (payload.Length < 16)
        {
            return false;
        }

        count = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        depth = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        type = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
        return true;
    }

    /// <summary>GCEnd_V1: Count, Depth (UInt32 each), ClrInstanceID.</summary>
    public static bool TryReadGcStop(ReadOnlySpan<byte> payload, out uint count)
    {
        count = 0;
        if (payload.Length < 8)
        {
            return false;
        }

        count = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        return true;
    }

    /// <summary>GCBulkNode: Index, Count (UInt32), ClrInstanceID (UInt16), then Count values.</summary>
    public static bool ReadBulkNode(ReadOnlySpan<byte> payload, HeapTally tally) => ReadBulkNode(payload, tally, null);

    /// <summary>As above, also giving each object's address, type and number of references to <paramref name="graph"/>.</summary>
    public static bool ReadBulkNode(ReadOnlySpan<byte> payload, HeapTally tally, HeapGraph? graph)
    {
        if (payload.Length < 10)
        {
            return false;
        }

        var index = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        var values = payload[10..];
        if ((ulong)count * NodeSize > (ulong)values.Length)
        {
            return false;
        }

        graph?.NodeBatch(index);
        for (var i = 0; i < (int)count; i++)
        {
            var node = values.Slice(i * NodeSize, NodeSize);
            var type = BinaryPrimitives.ReadUInt64LittleEndian(node[16..]);
            var edges = BinaryPrimitives.ReadUInt64LittleEndian(node[24..]);
            tally.AddObject(type, BinaryPrimitives.ReadUInt64LittleEndian(node[8..]), edges);
            graph?.AddNode(BinaryPrimitives.ReadUInt64LittleEndian(node), type, edges);
        }

        return true;
    }

    /// <summary>GCBulkEdge: Index, Count (UInt32), ClrInstanceID (UInt16), then Count references, in the order of the objects that hold them.</summary>
    public static bool ReadBulkEdge(ReadOnlySpan<byte> payload, HeapGraph graph)
    {
        if (payload.Length < 10)
        {
            return false;
        }

        var index = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        var values = payload[10..];
        if ((ulong)count * EdgeSize > (ulong)values.Length)
        {
            return false;
        }

        graph.EdgeBatch(index);
        for (var i = 0; i < (int)count; i++)
        {
            graph.AddEdge(BinaryPrimitives.ReadUInt64LittleEndian(values[(i * EdgeSize)..]));
        }

        return true;
    }

    /// <summary>
    /// GCBulkType: Count (UInt32), ClrInstanceID (UInt16), then Count values of TypeID, ModuleID
    /// (UInt64), TypeNameID, Flags (UInt32), CorElementType (UInt8), Name (NUL-terminated UTF-16),
    /// TypeParameterCount (UInt32) and that many UInt64 type ids.
    /// </summary>
    public static bool ReadBulkType(ReadOnlySpan<byte> payload, HeapTally tally)
    {
        if (payload.Length < 6)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        var rest = payload[6..];
        for (var i = 0u; i < count; i++)
        {
            if (rest.Length < 25)
            {
                return false;
            }

            var typeId = BinaryPrimitives.ReadUInt64LittleEndian(rest);
            var flags = BinaryPrimitives.ReadUInt32LittleEndian(rest[20..]);
            rest = rest[25..];
            var end = IndexOfUtf16Nul(rest);
            if (end < 0 || rest.Length < end + 2 + 4)
            {
                return false;
            }

            var name = Encoding.Unicode.GetString(rest[..end]);
            rest = rest[(end + 2)..];
            var parameterCount = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            rest = rest[4..];
            if ((ulong)parameterCount * 8 > (ulong)rest.Length)
            {
                return false;
            }

            var parameters = parameterCount == 0 ? [] : new ulong[parameterCount];
            for (var p = 0; p < parameters.Length; p++)
            {
                parameters[p] = BinaryPrimitives.ReadUInt64LittleEndian(rest[(p * 8)..]);
            }

            rest = rest[(parameters.Length * 8)..];
            tally.AddType(typeId, name, flags, parameters);
        }

        return true;
    }

    // The byte offset of the UTF-16 NUL that ends a string at the span's start, or -1.
    private static int IndexOfUtf16Nul(ReadOnlySpan<byte> bytes)
    {
        var chars = MemoryMarshal.Cast<byte, char>(bytes[..(bytes.Length & ~1)]);
        var at = chars.IndexOf('\0');
        return at < 0 ? -1 : at * 2;
    }
}
