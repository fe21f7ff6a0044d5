using System.Text;
using Agent.Diagnostics.Heap;

namespace Agent.Tests.Diagnostics;

/// <summary>
/// The heap walk's payloads, written here field by field from the runtime's manifest layout
/// (ClrEtwAll.man), read back by <see cref="GcHeapEvents"/>; truncated or mangled payloads are
/// refused, never read past their end. The live layout is checked by the integration test against
/// a real .NET target's own count.
/// </summary>
public sealed class GcHeapEventsTests
{
    private const ulong Marker = 0x7f00_0000_1000, MarkerArray = 0x7f00_0000_2000, ListOfMarker = 0x7f00_0000_3000, Unnamed = 0x7f00_0000_4000;

    private static byte[] Types() => new Payload()
        .U32(3).U16(7)
        .Type(Marker, flags: 0, "Shop.Marker")
        .Type(MarkerArray, flags: GcHeapEvents.ArrayFlag | (1 << 8), "", Marker)
        .Type(ListOfMarker, flags: 0, "System.Collections.Generic.List`1", Marker)
        .ToArray();

    private static byte[] Nodes() => new Payload()
        .U32(0).U32(4).U16(7)
        .Node(0x1000, 48, Marker).Node(0x1030, 48, Marker).Node(0x1060, 32, ListOfMarker).Node(0x1080, 24, Unnamed)
        .ToArray();

    [Fact]
    public void Objects_are_summed_per_type_and_named_from_the_type_events()
    {
        var tally = new HeapTally();
        Assert.True(GcHeapEvents.ReadBulkType(Types(), tally));
        Assert.True(GcHeapEvents.ReadBulkNode(Nodes(), tally));

        var summary = tally.Summarise("app", 42, 3, top: 2);

        Assert.Equal(4, summary.Objects);
        Assert.Equal(48 + 48 + 32 + 24, summary.Bytes);
        Assert.Equal(3, summary.Types);
        Assert.Equal([new HeapTypeSummary("Shop.Marker", 2, 96), new HeapTypeSummary("System.Collections.Generic.List<Shop.Marker>", 1, 32)], summary.BySize);
        Assert.Equal("Shop.Marker", summary.ByCount[0].Type);
        Assert.Equal("Shop.Marker[]", tally.NameOf(MarkerArray));
        Assert.Equal($"type 0x{Unnamed:x}", tally.NameOf(Unnamed));
    }

    private static byte[] Edges() => new Payload()
        .U32(0).U32(2).U16(7)
        .U64(0x1000).U32(1).U64(0x1030).U32(2)
        .ToArray();

    [Fact]
    public void References_are_read_in_order_and_matched_to_the_objects_that_announced_them()
    {
        var tally = new HeapTally();
        var graph = HeapGraph.Plan(4, 4, HeapGraph.BudgetBytes, out _)!;
        Assert.True(GcHeapEvents.ReadBulkType(Types(), tally));
        Assert.True(GcHeapEvents.ReadBulkEdge(Edges(), graph));
        var holder = new Payload().U32(0).U32(2).U16(7).U64(0x1000).U64(48).U64(Marker).U64(0).U64(0x2000).U64(32).U64(ListOfMarker).U64(2).ToArray();
        Assert.True(GcHeapEvents.ReadBulkNode(holder, tally, graph));
        var second = new Payload().U32(1).U32(1).U16(7).Node(0x1030, 48, Marker).ToArray();
        Assert.True(GcHeapEvents.ReadBulkNode(second, tally, graph));

        Assert.Equal(2, tally.References);
        Assert.Equal([(ListOfMarker, 2L)], graph.Holders(new HashSet<ulong> { Marker }, 5)![Marker]);
    }

    [Fact]
    public void Gc_start_and_stop_give_the_collection_number_depth_and_type()
    {
        var start = new Payload().U32(17).U32(2).U32(1).U32(0).U16(7).ToArray();
        Assert.True(GcHeapEvents.TryReadGcStart(start, out var count, out var depth, out var type));
        Assert.Equal((17u, 2u, 0u), (count, depth, type));
        Assert.True(GcHeapEvents.TryReadGcStop(new Payload().U32(17).U32(2).U16(7).ToArray(), out var stopped));
        Assert.Equal(17u, stopped);
        Assert.False(GcHeapEvents.TryReadGcStart(start.AsSpan(0, 15), out _, out _, out _));
        Assert.False(GcHeapEvents.TryReadGcStop(new byte[7], out _));
    }

    [Fact]
    public void Every_truncation_of_a_payload_is_refused()
    {
        var types = Types();
        var nodes = Nodes();
        for (var n = 0; n < types.Length; n++)
        {
            Assert.False(GcHeapEvents.ReadBulkType(types.AsSpan(0, n), new HeapTally()), $"types cut at {n}");
        }

        var edges = Edges();
        for (var n = 0; n < edges.Length; n++)
        {
            Assert.False(GcHeapEvents.ReadBulkEdge(edges.AsSpan(0, n), HeapGraph.Plan(4, 4, HeapGraph.BudgetBytes, out _)!), $"edges cut at {n}");
        }

        for (var n = 0; n < nodes.Length; n++)
        {
            Assert.False(GcHeapEvents.ReadBulkNode(nodes.AsSpan(0, n), new HeapTally()), $"nodes cut at {n}");
        }
    }

    [Fact]
    public void Mangled_payloads_and_type_cycles_never_throw()
    {
        var random = new Random(20261127);
        foreach (var seed in new[] { Types(), Nodes() })
        {
            for (var i = 0; i < 5_000; i++)
            {
                var input = (byte[])seed.Clone();
                for (var m = random.Next(1, 6); m > 0; m--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                var tally = new HeapTally();
                _ = GcHeapEvents.ReadBulkType(input, tally);
                _ = GcHeapEvents.ReadBulkNode(input, tally);
                _ = tally.Summarise("app", 1, 1, 10);
            }
        }

        // Two generic types naming each other: the name stops at a bounded depth.
        var cycle = new HeapTally();
        cycle.AddType(1, "A`1", 0, [2]);
        cycle.AddType(2, "B`1", 0, [1]);
        Assert.InRange(cycle.NameOf(1).Length, 1, 200);
    }

    private sealed class Payload
    {
        private readonly MemoryStream _bytes = new();

        public Payload U16(ushort v) => Write(BitConverter.GetBytes(v), 2);

        public Payload U32(uint v) => Write(BitConverter.GetBytes(v), 4);

        public Payload U64(ulong v) => Write(BitConverter.GetBytes(v), 8);

        public Payload Node(ulong address, ulong size, ulong typeId) => U64(address).U64(size).U64(typeId).U64(0);

        public Payload Type(ulong typeId, uint flags, string name, params ulong[] parameters)
        {
            U64(typeId).U64(0xabc).U32(0).U32(flags);
            _bytes.WriteByte(0x12); // CorElementType
            var utf16 = Encoding.Unicode.GetBytes(name + "\0");
            _bytes.Write(utf16);
            U32((uint)parameters.Length);
            foreach (var p in parameters)
            {
                U64(p);
            }

            return this;
        }

        public byte[] ToArray() => _bytes.ToArray();

        // The runtime writes little-endian; so does every machine the tests run on.
        private Payload Write(byte[] littleEndian, int length)
        {
            _bytes.Write(littleEndian, 0, length);
            return this;
        }
    }
}
