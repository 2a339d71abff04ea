namespace Fergan.Torch.Export;

/// <summary>
/// A small ONNX graph builder and serializer: float tensors in, float tensors out, nodes with int, ints and float
/// attributes, weights as raw little-endian initializers. Field numbers follow onnx.proto (IR version 8).
/// </summary>
internal sealed class OnnxGraph(string name)
{
    /// <summary>ONNX IR version 8 and operator set 17: read by ONNX Runtime 1.10 and later.</summary>
    public const int IrVersion = 8, OpsetVersion = 17;

    private const int FloatType = 1, Int64Type = 7, Float16Type = 10;
    private readonly List<ProtobufWriter> _nodes = [];
    private readonly List<ProtobufWriter> _initializers = [];
    private readonly List<ProtobufWriter> _inputs = [];
    private readonly List<ProtobufWriter> _outputs = [];
    private readonly HashSet<string> _names = [];
    private int _counter;

    /// <summary>A fresh value name with a readable prefix.</summary>
    public string Name(string prefix)
    {
        string candidate;
        do candidate = $"{prefix}_{_counter++}"; while (!_names.Add(candidate));
        return candidate;
    }

    /// <summary>A float input; a null dimension is symbolic ("batch").</summary>
    public void Input(string value, params long?[] shape) => _inputs.Add(ValueInfo(value, shape));

    /// <summary>An int64 input (class labels).</summary>
    public void Int64Input(string value, params long?[] shape) => _inputs.Add(ValueInfo(value, shape, Int64Type));

    /// <summary>An int64 constant (shapes, axes); returns its name.</summary>
    public string Int64Initializer(string prefix, params long[] values)
    {
        var value = Name(prefix);
        var raw = new byte[values.Length * sizeof(long)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        _initializers.Add(new ProtobufWriter().PackedInts(1, [values.Length]).Int(2, Int64Type).String(8, value).Bytes(9, raw));
        return value;
    }

    public void Output(string value, params long?[] shape) => _outputs.Add(ValueInfo(value, shape));

    /// <summary>
    /// A float constant (weights); returns its name. With <paramref name="half"/> the values are stored as float16
    /// and a Cast node restores float32 (ONNX Runtime folds it when the model loads): half the file, same graph.
    /// </summary>
    public string Initializer(string prefix, float[] values, long[] shape, bool half = false)
    {
        if (values.Length != shape.Aggregate(1L, (a, b) => a * b))
        {
            throw new ArgumentException($"initializer {prefix}: {values.Length} values do not fill shape [{string.Join(", ", shape)}].");
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; exporting on a big-endian machine is not supported.");
        }
        var value = Name(half ? prefix + "_f16" : prefix);
        byte[] raw;
        if (half)
        {
            raw = new byte[values.Length * 2];
            for (var i = 0; i < values.Length; i++)
            {
                BitConverter.TryWriteBytes(raw.AsSpan(2 * i), (Half)values[i]);
            }
        }
        else
        {
            raw = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        }
        _initializers.Add(new ProtobufWriter()
            .PackedInts(1, shape)                        // dims
            .Int(2, half ? Float16Type : FloatType)      // data_type
            .String(8, value)                            // name
            .Bytes(9, raw));                             // raw_data
        return half ? Node("Cast", [value], Name(prefix), ("to", FloatType)) : value;
    }

    /// <summary>Adds a node; returns its (single) output name, or the given one.</summary>
    public string Node(string opType, string[] inputs, string? output = null, params (string Name, object Value)[] attributes)
    {
        output ??= Name(opType.ToLowerInvariant());
        _names.Add(output);
        var node = new ProtobufWriter();
        foreach (var input in inputs) node.String(1, input);
        node.String(2, output).String(3, Name(opType)).String(4, opType);
        foreach (var (attributeName, value) in attributes)
        {
            node.Message(5, Attribute(attributeName, value));
        }
        _nodes.Add(node);
        return output;
    }

    /// <summary>The serialized ModelProto.</summary>
    public byte[] ToModel(string producer, string producerVersion, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new ProtobufWriter();
        foreach (var n in _nodes) graph.Message(1, n);
        graph.String(2, name);
        foreach (var i in _initializers) graph.Message(5, i);
        foreach (var i in _inputs) graph.Message(11, i);
        foreach (var o in _outputs) graph.Message(12, o);

        var model = new ProtobufWriter()
            .Int(1, IrVersion)
            .String(2, producer)
            .String(3, producerVersion)
            .Message(7, graph)
            .Message(8, new ProtobufWriter().String(1, "").Int(2, OpsetVersion));
        foreach (var (key, value) in metadata)
        {
            model.Message(14, new ProtobufWriter().String(1, key).String(2, value));
        }
        return model.ToArray();
    }

    private static ProtobufWriter ValueInfo(string value, long?[] shape, int elementType = FloatType)
    {
        var shapeProto = new ProtobufWriter();
        foreach (var d in shape)
        {
            shapeProto.Message(1, d is { } size ? new ProtobufWriter().Int(1, size) : new ProtobufWriter().String(2, "batch"));
        }
        var tensorType = new ProtobufWriter().Int(1, elementType).Message(2, shapeProto);
        return new ProtobufWriter().String(1, value).Message(2, new ProtobufWriter().Message(1, tensorType));
    }

    private static ProtobufWriter Attribute(string attributeName, object value)
    {
        var a = new ProtobufWriter().String(1, attributeName);
        return value switch
        {
            int i => a.Int(3, i).Int(20, 2),                   // INT
            long l => a.Int(3, l).Int(20, 2),
            float f => a.Float(2, f).Int(20, 1),               // FLOAT
            long[] ints => a.PackedInts(8, ints).Int(20, 7),   // INTS
            string text => a.String(4, text).Int(20, 3),       // STRING
            _ => throw new ArgumentException($"unsupported ONNX attribute type {value.GetType().Name} for {attributeName}."),
        };
    }
}
