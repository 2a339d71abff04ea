using System.Reflection;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Gan.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Export;

/// <summary>
/// Writes a generator as an ONNX model, so the web app draws GAN faces on ONNX Runtime without libtorch. Inputs
/// "noise" [batch, latent] and "labels" [batch] (int64 emotion indices); output "faces" [batch, 1, 48, 48] in [-1, 1].
/// Batch norm is in inference form: each conditional batch norm becomes two per-class lookup tables (scale and
/// shift, the running statistics folded in), gathered by label.
/// </summary>
/// <remarks>
/// Reads the weights by their checkpoint keys, which GanModelTests pins; the export test compares ONNX Runtime with
/// TorchSharp on fixed noise, so a layout change that the exporter missed fails there.
/// </remarks>
public static class GeneratorOnnxExporter
{
    public const string NoiseName = "noise", LabelsName = "labels", FacesName = "faces";
    public const string ArchitectureKey = "fergan.gan.architecture", CardKey = "fergan.gan.card";

    private const float BatchNormEpsilon = (float)Layers.BatchNorm.Epsilon;

    /// <param name="options">HalfPrecisionWeights stores the weights as float16 (half the file; computed in float32).</param>
    public static byte[] Export(GanGenerator generator, OnnxExportOptions? options = null) => Export(generator.Model, generator.Card, options ?? new OnnxExportOptions());

    internal static byte[] Export(ConditionalGenerator generator, GeneratorCard card, OnnxExportOptions options)
    {
        var half = options.HalfPrecisionWeights;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var state = generator.state_dict();
        Tensor T(string key) => state.TryGetValue(key, out var t)
            ? t.detach().to(ScalarType.Float32).cpu().contiguous()
            : throw new FerganException($"the generator has no weight '{key}'; ONNX export knows the layout of Fergan's ConditionalGenerator only.");
        float[] F(Tensor t) => t.data<float>().ToArray();

        var architecture = generator.Architecture;
        var graph = new OnnxGraph($"fergan-generator-w{architecture.Width}");
        graph.Input(NoiseName, null, architecture.LatentSize);
        graph.Int64Input(LabelsName, [null]);

        var fcWeight = T("fc.weight");
        var x = graph.Node("Gemm", [NoiseName, graph.Initializer("fc_w", F(fcWeight), fcWeight.shape, half), graph.Initializer("fc_b", F(T("fc.bias")), [fcWeight.shape[0]], half)], null, ("transB", 1));
        var startChannels = fcWeight.shape[0] / (GanArchitecture.StartSize * GanArchitecture.StartSize);
        x = graph.Node("Reshape", [x, graph.Int64Initializer("start_shape", -1, startChannels, GanArchitecture.StartSize, GanArchitecture.StartSize)]);
        var spatialAxes = graph.Int64Initializer("spatial_axes", 2, 3);
        var upScales = graph.Initializer("up_scales", [1f, 1f, 2f, 2f], [4]);

        string Conv(string input, string prefix, long padding)
        {
            var weight = T(prefix + ".weight");
            var k = weight.shape[2];
            return graph.Node("Conv", [input, graph.Initializer("w", F(weight), weight.shape, half), graph.Initializer("b", F(T(prefix + ".bias")), [weight.shape[0]], half)], null,
                ("kernel_shape", new[] { k, k }), ("pads", new[] { padding, padding, padding, padding }));
        }
        string Upsample(string input) => graph.Node("Resize", [input, "", upScales], null,
            ("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor"));
        string ConditionalNorm(string input, string prefix)
        {
            // y = (x - mean) / sqrt(var + eps) * gamma[label] + beta[label] = x * scale[label] + shift[label]
            var inverseStd = T(prefix + ".bn.running_var").add(BatchNormEpsilon).rsqrt();
            var mean = T(prefix + ".bn.running_mean");
            var scale = T(prefix + ".gamma.weight").mul(inverseStd);          // [classes, C]
            var shift = T(prefix + ".beta.weight").sub(scale.mul(mean));
            string Lookup(string name, Tensor table) => graph.Node("Unsqueeze",
                [graph.Node("Gather", [graph.Initializer(name, F(table), table.shape, half), LabelsName], null, ("axis", 0)), spatialAxes]);
            return graph.Node("Add", [graph.Node("Mul", [input, Lookup("cbn_scale", scale)]), Lookup("cbn_shift", shift)]);
        }

        for (var block = 0; block < 3; block++)
        {
            var prefix = $"blocks.{block}";
            var h = Conv(Upsample(graph.Node("Relu", [ConditionalNorm(x, prefix + ".bn1")])), prefix + ".conv1", 1);
            h = Conv(graph.Node("Relu", [ConditionalNorm(h, prefix + ".bn2")]), prefix + ".conv2", 1);
            x = graph.Node("Add", [h, Upsample(Conv(x, prefix + ".shortcut", 0))]); // as the generator: 1x1 conv, then up-sample
        }
        var finalScale = T("bn.weight").mul(T("bn.running_var").add(BatchNormEpsilon).rsqrt());
        var finalShift = T("bn.bias").sub(finalScale.mul(T("bn.running_mean")));
        var channels = finalScale.shape[0];
        x = graph.Node("Add", [graph.Node("Mul", [x, graph.Initializer("bn_scale", F(finalScale), [1, channels, 1, 1], half)]), graph.Initializer("bn_shift", F(finalShift), [1, channels, 1, 1], half)]);
        graph.Node("Tanh", [Conv(graph.Node("Relu", [x]), "output", 1)], FacesName);
        graph.Output(FacesName, null, 1, architecture.ImageSize, architecture.ImageSize);

        var metadata = new Dictionary<string, string>
        {
            [ArchitectureKey] = System.Text.Json.JsonSerializer.Serialize(architecture, Training.RunDirectory.Json),
            [CardKey] = System.Text.Json.JsonSerializer.Serialize(card, Training.RunDirectory.Json),
        };
        var version = typeof(GeneratorOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return graph.ToModel("fergan", version, metadata);
    }
}
