using System.Text;

namespace Fergan.Torch.Export;

/// <summary>
/// The protobuf wire format, just the parts an ONNX model needs (varints, 32-bit floats, length-delimited fields),
/// so exporting needs no protobuf library or generated code. Messages are written bottom-up: a nested message is
/// built in its own writer, then embedded as bytes.
/// </summary>
internal sealed class ProtobufWriter
{
    private readonly MemoryStream _stream = new();

    private const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;

    public ProtobufWriter Int(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint(unchecked((ulong)value)); // negative int64s are 10-byte two's complement varints, as protobuf does
        return this;
    }

    public ProtobufWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        Span<byte> bytes = stackalloc byte[4];
        BitConverter.TryWriteBytes(bytes, value);
        if (!BitConverter.IsLittleEndian) bytes.Reverse();
        _stream.Write(bytes);
        return this;
    }

    public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _stream.Write(value);
        return this;
    }

    public ProtobufWriter Message(int field, ProtobufWriter message) => Bytes(field, message.ToArray());

    /// <summary>A packed repeated int64 field (one length-delimited run of varints).</summary>
    public ProtobufWriter PackedInts(int field, IEnumerable<long> values)
    {
        var packed = new ProtobufWriter();
        foreach (var v in values) packed.WriteVarint(unchecked((ulong)v));
        return Bytes(field, packed.ToArray());
    }

    public byte[] ToArray() => _stream.ToArray();

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _stream.WriteByte((byte)value);
    }
}
