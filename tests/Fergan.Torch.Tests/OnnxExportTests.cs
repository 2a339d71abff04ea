using Fergan.Data;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Export;
using Fergan.Torch.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

[Collection("Torch")]
public sealed class OnnxExportTests
{
    public OnnxExportTests() => TorchRuntime.Initialize();

    [Theory]
    [InlineData(ClassifierKind.Vgg, false, 1e-5)]
    [InlineData(ClassifierKind.Baseline, false, 1e-5)]
    [InlineData(ClassifierKind.Resnet, false, 1e-5)]
    [InlineData(ClassifierKind.Resnet, true, 2e-2)]
    [InlineData(ClassifierKind.Vgg, true, 2e-2)]
    public void Onnx_runtime_reproduces_torchsharp(ClassifierKind kind, bool half, double tolerance)
    {
        using var network = TrainedLooking(new ClassifierArchitecture(kind, 8));
        var card = new ClassifierCard { Architecture = network.Architecture, Classes = Emotions.Names };
        var model = ClassifierOnnxExporter.Export(network, card, new OnnxExportOptions(half));

        manual_seed(5);
        using var images = rand(16, 1, FaceImage.Size, FaceImage.Size);
        float[] expectedLogits, expectedFeatures;
        using (no_grad())
        {
            using var features = network.Features(images);
            using var logits = network.Classify(features);
            expectedFeatures = features.data<float>().ToArray();
            expectedLogits = logits.data<float>().ToArray();
        }

        using var session = new InferenceSession(model);
        var input = new DenseTensor<float>(images.data<float>().ToArray(), [16, 1, FaceImage.Size, FaceImage.Size]);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("faces", input)]);
        var byName = outputs.ToDictionary(o => o.Name, o => o.AsTensor<float>().ToArray());

        Assert.Equal(expectedLogits.Length, byName["logits"].Length);
        Assert.Equal(expectedFeatures.Length, byName["features"].Length);
        var scale = expectedLogits.Max(Math.Abs);
        Assert.True(scale > 0.1, "the test network must give non-trivial logits"); // else agreement would prove little
        Assert.InRange(MaxRelative(expectedLogits, byName["logits"]), 0, tolerance);
        Assert.InRange(MaxRelative(expectedFeatures, byName["features"]), 0, tolerance);
        var probabilities = byName["probabilities"];
        for (var row = 0; row < 16; row++)
        {
            Assert.Equal(1f, probabilities.Skip(row * 7).Take(7).Sum(), 4);
        }
        Assert.Equal(string.Join(",", Emotions.Names), session.ModelMetadata.CustomMetadataMap[ClassifierOnnxExporter.ClassesKey]);
    }

    [Fact]
    public void Half_precision_weights_halve_the_file()
    {
        using var network = TrainedLooking(new ClassifierArchitecture(ClassifierKind.Vgg, 8));
        var card = new ClassifierCard { Architecture = network.Architecture, Classes = Emotions.Names };
        var full = ClassifierOnnxExporter.Export(network, card, new OnnxExportOptions(false)).Length;
        var half = ClassifierOnnxExporter.Export(network, card, new OnnxExportOptions(true)).Length;
        var weightBytes = network.ParameterCount() * 4;
        Assert.InRange(full - half, 0.4 * weightBytes, 0.55 * weightBytes);
    }

    /// <summary>
    /// A network whose batch-norm statistics and affine parameters are far from their initial 0/1 (a few training-mode
    /// passes over shifted inputs, then random gamma and beta), so a wrong fold would show.
    /// </summary>
    private static EmotionNet TrainedLooking(ClassifierArchitecture architecture)
    {
        manual_seed(3);
        var network = architecture.Create();
        network.train();
        using (no_grad())
        {
            for (var i = 0; i < 5; i++)
            {
                using var x = rand(32, 1, FaceImage.Size, FaceImage.Size).mul(0.5).add(0.3);
                network.call(x).Dispose();
            }
            foreach (var (name, parameter) in network.named_parameters())
            {
                if (parameter.dim() == 1)
                {
                    parameter.add_(randn_like(parameter).mul(0.3)); // gammas and betas (and biases) away from 1 and 0
                }
            }
        }
        network.eval();
        return network;
    }

    private static double MaxRelative(float[] expected, float[] actual)
    {
        var scale = Math.Max(expected.Max(Math.Abs), 1e-6f);
        return expected.Zip(actual, (a, b) => Math.Abs(a - b) / scale).Max();
    }
}

[Collection("Torch")]
public sealed class GeneratorOnnxExportTests
{
    public GeneratorOnnxExportTests() => TorchRuntime.Initialize();

    [Theory]
    [InlineData(false, 1e-4)]
    [InlineData(true, OnnxExportCheck.GeneratorFloat16Tolerance)]
    public void Onnx_runtime_reproduces_the_generator_for_every_class(bool half, double tolerance)
    {
        manual_seed(11);
        var architecture = Gan.Models.GanArchitecture.ForFer2013(width: 4, latentSize: 16);
        using var generator = new Gan.Models.ConditionalGenerator(architecture);
        // Trained-looking: batch statistics from a few training-mode passes, and class embeddings far from 1 and 0,
        // so a wrong fold or a label lookup in the wrong order shows.
        generator.train();
        using (no_grad())
        {
            for (var i = 0; i < 4; i++)
            {
                generator.call(randn(16, 16).mul(1.5), randint(0, 7, [16], dtype: ScalarType.Int64)).Dispose();
            }
            foreach (var (name, parameter) in generator.named_parameters().Where(p => p.name.Contains("gamma") || p.name.Contains("beta")))
            {
                parameter.add_(randn_like(parameter).mul(0.5));
            }
        }
        generator.eval();
        var card = new Gan.Sampling.GeneratorCard { Architecture = architecture, Classes = Emotions.Names, Step = 0, Seed = 11, Data = "test" };
        var model = GeneratorOnnxExporter.Export(generator, card, new OnnxExportOptions(half));
        var full = GeneratorOnnxExporter.Export(generator, card, new OnnxExportOptions(false));
        // float16 initializers: about half the file (the graph itself is small).
        Assert.InRange(model.Length, half ? full.Length * 0.4 : full.Length, half ? full.Length * 0.6 : full.Length);

        var noise = randn(14, 16);
        var labels = arange(14, dtype: ScalarType.Int64).remainder(7);
        float[] expected;
        using (no_grad())
        {
            expected = generator.call(noise, labels).data<float>().ToArray();
        }
        using var session = new InferenceSession(model);
        using var outputs = session.Run([
            NamedOnnxValue.CreateFromTensor("noise", new DenseTensor<float>(noise.data<float>().ToArray(), [14, 16])),
            NamedOnnxValue.CreateFromTensor("labels", new DenseTensor<long>(labels.data<long>().ToArray(), [14])),
        ]);
        var actual = outputs[0].AsTensor<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        Assert.InRange(expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max(), 0, tolerance);
        // The label reaches the exported graph: the same noise with two labels gives two faces.
        var one = noise.data<float>().Take(16).ToArray();
        using var pair = session.Run([
            NamedOnnxValue.CreateFromTensor("noise", new DenseTensor<float>(one.Concat(one).ToArray(), [2, 16])),
            NamedOnnxValue.CreateFromTensor("labels", new DenseTensor<long>(new long[] { 1, 5 }, [2])),
        ]);
        var faces = pair[0].AsTensor<float>().ToArray();
        Assert.True(faces.Take(2304).Zip(faces.Skip(2304), (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }

    [Fact]
    public void The_bundled_onnx_generator_draws_what_its_weights_draw_through_the_current_generator_code()
    {
        // generator.onnx was exported when the generator was bundled; its weights go through today's
        // ConditionalGenerator (gan sample, data synthesize, train --balance gan). Rearranging a layer for speed (the
        // shortcut's 1x1 convolution now runs before the up-sampling) must keep the function the bundle was made with.
        var folder = Path.Combine(Fergan.Tests.SharedData.RepositoryRoot!, "models", "gan");
        using var generator = Gan.Sampling.GanGenerator.Load(folder);
        var check = OnnxExportCheck.CompareGenerator(generator, File.ReadAllBytes(Path.Combine(folder, "generator.onnx")), halfPrecisionWeights: true);

        Assert.True(check.Passed, $"max |difference| {check.MaxAbsDifference:G3} over {check.Faces} faces (tolerance {check.Tolerance:G3})");
    }
}
