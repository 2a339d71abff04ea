using System.Reflection;
using Fergan.Data;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Fergan.Torch.Export;

/// <summary>Options of `fergan export onnx`.</summary>
/// <param name="HalfPrecisionWeights">Store weights as float16 (half the file; the bundled model uses this).</param>
public sealed record OnnxExportOptions(bool HalfPrecisionWeights = false);

/// <summary>
/// Writes a trained classifier as an ONNX model that ONNX Runtime runs without libtorch. The graph is built from the
/// weights, layer by layer (<see cref="EmotionNet.ForwardLayers"/>), in inference form: batch norm folded into the
/// convolution or dense layer before it, dropout removed. Input "faces" [batch, 1, 48, 48] gray in [0, 1] (the
/// network's own standardisation is the graph's first two nodes); outputs "logits", "probabilities" (softmax) and
/// "features" (the penultimate activations). The card travels in the model's metadata.
/// </summary>
/// <remarks>
/// Supports exactly the layer kinds Fergan's classifiers use ("same"-padded square convolutions of any stride, 2x2
/// max-pool, global average pooling, batch norm, ReLU, flatten, dense, dropout, and residual blocks made of these);
/// anything else is an error, never a silently wrong graph. The export test compares ONNX Runtime with TorchSharp on
/// a fixed batch for every architecture.
/// </remarks>
public static class ClassifierOnnxExporter
{
    public const string InputName = "faces", LogitsName = "logits", ProbabilitiesName = "probabilities", FeaturesName = "features";

    /// <summary>Metadata keys: the class names (comma-separated, in output order) and the classifier card.</summary>
    public const string ClassesKey = "fergan.classes", CardKey = "fergan.card", ArchitectureKey = "fergan.architecture";

    private const float BatchNormEpsilon = (float)Layers.BatchNorm.Epsilon;

    public static byte[] Export(EmotionClassifier classifier, OnnxExportOptions? options = null) =>
        Export(classifier.Network, classifier.Card, options ?? new OnnxExportOptions());

    internal static byte[] Export(EmotionNet network, ClassifierCard card, OnnxExportOptions options)
    {
        using var noGrad = no_grad();
        var half = options.HalfPrecisionWeights;
        var graph = new OnnxGraph($"fergan-{network.Architecture}");
        graph.Input(InputName, null, 1, FaceImage.Size, FaceImage.Size);

        var mean = graph.Initializer("pixel_mean", [EmotionNet.PixelMean], []);
        var std = graph.Initializer("pixel_std", [EmotionNet.PixelStd], []);
        var x = graph.Node("Div", [graph.Node("Sub", [InputName, mean]), std]);

        var layers = network.ForwardLayers().ToList();
        var lastLinear = layers.FindLastIndex(l => l is Linear);
        if (lastLinear < 0 || layers.Skip(lastLinear + 1).Any(l => l is not (Dropout or Dropout2d)))
        {
            throw new FerganException($"{network.Architecture} does not end in a dense layer; ONNX export expects logits from one.");
        }
        // Features are the input of the last dense layer; the logits its output.
        var features = graph.Node("Identity", [EmitLayers(graph, layers[..lastLinear], x, half)], FeaturesName);
        graph.Node("Identity", [EmitLayers(graph, layers[lastLinear..], features, half)], LogitsName);
        graph.Node("Softmax", [LogitsName], ProbabilitiesName, ("axis", 1));
        graph.Output(LogitsName, null, card.Classes.Count);
        graph.Output(ProbabilitiesName, null, card.Classes.Count);
        graph.Output(FeaturesName, null, network.FeatureSize);

        var metadata = new Dictionary<string, string>
        {
            [ClassesKey] = string.Join(",", card.Classes),
            [ArchitectureKey] = network.Architecture.ToString(),
            [CardKey] = System.Text.Json.JsonSerializer.Serialize(card, Training.RunDirectory.Json),
        };
        var version = typeof(ClassifierOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return graph.ToModel("fergan", version, metadata);
    }

    /// <summary>
    /// Adds <paramref name="layers"/> to the graph after value <paramref name="x"/> and returns the last value. A batch
    /// norm right after a convolution or dense layer is folded into it.
    /// </summary>
    private static string EmitLayers(OnnxGraph graph, IReadOnlyList<nn.Module> layers, string x, bool half)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var next = i + 1 < layers.Count ? layers[i + 1] : null;
            switch (layer)
            {
                case Conv2d conv:
                    var (convWeight, convBias) = Fold(conv.weight!, conv.bias, next as Layers.BatchNorm);
                    var (kh, kw) = (convWeight.shape[2], convWeight.shape[3]);
                    var padding = conv.padding ?? []; // null when padding is given as a mode ("same", "valid")
                    if (kh != kw || kh % 2 == 0 || padding.Length != 2 || padding[0] != kh / 2 || padding[1] != kh / 2 || conv.stride[0] != conv.stride[1]
                        || conv.dilation.Any(d => d != 1) || conv.groups != 1 || conv.padding_mode != PaddingModes.Zeros)
                    {
                        throw new FerganException($"ONNX export supports square, odd, \"same\"-padded, undilated, ungrouped convolutions; layer {i} ({kh}x{kw}, padding {string.Join(",", padding)}) is not one.");
                    }
                    var pad = kh / 2;
                    x = graph.Node("Conv", [x, Weights(graph, "conv_w", convWeight, half), Weights(graph, "conv_b", convBias, half)], null,
                        ("kernel_shape", new[] { kh, kh }), ("pads", new[] { pad, pad, pad, pad }), ("strides", new[] { conv.stride[0], conv.stride[1] }));
                    if (next is Layers.BatchNorm) i++;
                    break;
                case Linear linear:
                    var (linearWeight, linearBias) = Fold(linear.weight!, linear.bias, next as Layers.BatchNorm);
                    x = graph.Node("Gemm", [x, Weights(graph, "dense_w", linearWeight, half), Weights(graph, "dense_b", linearBias, half)], null,
                        ("transB", 1));
                    if (next is Layers.BatchNorm) i++;
                    break;
                case Layers.ResidualBlock block:
                    var main = EmitLayers(graph, block.Main, x, half);
                    var shortcut = block.Shortcut.Count == 0 ? x : EmitLayers(graph, block.Shortcut, x, half);
                    x = graph.Node("Relu", [graph.Node("Add", [main, shortcut])]);
                    break;
                case ReLU:
                    x = graph.Node("Relu", [x]);
                    break;
                case MaxPool2d:
                    x = graph.Node("MaxPool", [x], null, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
                    break;
                case AdaptiveAvgPool2d:
                    x = graph.Node("GlobalAveragePool", [x]);
                    break;
                case Flatten:
                    x = graph.Node("Flatten", [x], null, ("axis", 1));
                    break;
                case Dropout or Dropout2d:
                    break; // identity at inference
                case Layers.BatchNorm:
                    throw new FerganException($"ONNX export folds batch norm into the convolution or dense layer before it; layer {i} follows a {layers[Math.Max(0, i - 1)].GetType().Name}.");
                default:
                    throw new FerganException($"ONNX export does not support layer {i} ({layer.GetType().Name}).");
            }
        }
        return x;
    }

    /// <summary>
    /// Folds an inference-mode batch norm into the layer before it: y = gamma (Wx + b - mu) / sqrt(var + eps) + beta
    /// becomes W' = W * s, b' = (b - mu) * s + beta with s = gamma / sqrt(var + eps), per output channel.
    /// </summary>
    private static (Tensor Weight, Tensor Bias) Fold(Tensor weight, Tensor? bias, nn.Module? batchNorm)
    {
        var w = weight.detach().to(ScalarType.Float32).cpu();
        var b = bias?.detach().to(ScalarType.Float32).cpu() ?? zeros(w.shape[0]);
        if (batchNorm is null)
        {
            return (w, b);
        }
        var state = batchNorm.state_dict();
        var gamma = state["weight"].to(ScalarType.Float32).cpu();
        var beta = state["bias"].to(ScalarType.Float32).cpu();
        var runningMean = state["running_mean"].to(ScalarType.Float32).cpu();
        var runningVar = state["running_var"].to(ScalarType.Float32).cpu();
        var scale = gamma.div(runningVar.add(BatchNormEpsilon).sqrt());
        var shape = new long[w.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return (w.mul(scale.reshape(shape)), b.sub(runningMean).mul(scale).add(beta));
    }

    private static string Weights(OnnxGraph graph, string prefix, Tensor values, bool half) =>
        graph.Initializer(prefix, values.contiguous().data<float>().ToArray(), values.shape, half);
}
