using System.Buffers;
using System.Text;

namespace Agent.Profiling;

/// <summary>
/// The protobuf wire format, as far as pprof needs it: varints (wire type 0), length-delimited
/// strings, nested messages and packed repeated varints (wire type 2). Zero scalars are left out,
/// as proto3 does.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new();

    public ProtoWriter UInt(int field, ulong value)
    {
        if (value != 0)
        {
            Tag(field, 0);
            Varint(value);
        }

        return this;
    }

    public ProtoWriter Int(int field, long value) => UInt(field, unchecked((ulong)value));

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        return Bytes(field, inner.ToArray());
    }

    public ProtoWriter PackedUInts(int field, IReadOnlyList<ulong> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values)
        {
            inner.Varint(v);
        }

        return Bytes(field, inner.ToArray());
    }

    public ProtoWriter PackedInts(int field, IReadOnlyList<long> values) => PackedUInts(field, [.. values.Select(v => unchecked((ulong)v))]);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private ProtoWriter Bytes(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, 2);
        Varint((ulong)bytes.Length);
        _buffer.Write(bytes);
        return this;
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Write([(byte)(value | 0x80)]);
            value >>= 7;
        }

        _buffer.Write([(byte)value]);
    }
}
