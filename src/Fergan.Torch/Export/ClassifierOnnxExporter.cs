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
/// Supports exactly the layer kinds Fergan's classifiers use (3x3 "same" convolutions with stride 1, 2x2 max-pool,
/// batch norm, ReLU, flatten, dense, dropout); anything else is an error, never a silently wrong graph. The export
/// test compares ONNX Runtime with TorchSharp on a fixed batch.
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
        string? features = null;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var next = i + 1 < layers.Count ? layers[i + 1] : null;
            if (i == lastLinear)
            {
                features = graph.Node("Identity", [x], FeaturesName);
                x = features;
            }
            switch (layer)
            {
                case Conv2d conv:
                    var (convWeight, convBias) = Fold(conv.weight!, conv.bias, next as Layers.BatchNorm);
                    var k = convWeight.shape[2];
                    if (k != convWeight.shape[3] || k % 2 == 0)
                    {
                        throw new FerganException($"ONNX export supports square, odd convolution kernels; layer {i} has {k}x{convWeight.shape[3]}.");
                    }
                    var pad = k / 2;
                    x = graph.Node("Conv", [x, Weights(graph, "conv_w", convWeight, half), Weights(graph, "conv_b", convBias, half)], null,
                        ("kernel_shape", new[] { k, k }), ("pads", new[] { pad, pad, pad, pad }), ("strides", new long[] { 1, 1 }));
                    if (next is Layers.BatchNorm) i++;
                    break;
                case Linear linear:
                    var (linearWeight, linearBias) = Fold(linear.weight!, linear.bias, next as Layers.BatchNorm);
                    x = graph.Node("Gemm", [x, Weights(graph, "dense_w", linearWeight, half), Weights(graph, "dense_b", linearBias, half)], i == layers.Count - 1 ? LogitsName : null,
                        ("transB", 1));
                    if (next is Layers.BatchNorm) i++;
                    break;
                case ReLU:
                    x = graph.Node("Relu", [x]);
                    break;
                case MaxPool2d:
                    x = graph.Node("MaxPool", [x], null, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
                    break;
                case Flatten:
                    x = graph.Node("Flatten", [x], null, ("axis", 1));
                    break;
                case Dropout or Dropout2d:
                    break; // identity at inference
                default:
                    throw new FerganException($"ONNX export does not support layer {i} ({layer.GetType().Name}) of {network.Architecture}.");
            }
        }
        if (x != LogitsName || features is null)
        {
            throw new FerganException($"{network.Architecture} does not end in a dense layer; ONNX export expects logits from one.");
        }
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
