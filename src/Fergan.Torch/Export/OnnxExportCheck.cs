using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Torch.Classifier;
using Fergan.Torch.Gan.Sampling;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace Fergan.Torch.Export;

/// <summary>How far an exported model's probabilities are from TorchSharp's on the same faces.</summary>
public sealed record OnnxExportCheckResult(int Faces, double MaxAbsDifference, double Tolerance)
{
    public bool Passed => MaxAbsDifference <= Tolerance;

    /// <summary>
    /// Writes an exported model to <paramref name="path"/> (atomically) only if it passed its check; otherwise throws
    /// and writes nothing, so a wrong graph never lands where predict or serve would load it.
    /// </summary>
    public void WriteIfPassed(string path, byte[] model, string what)
    {
        if (!Passed)
        {
            throw new FerganException($"the exported {what} disagrees with TorchSharp (max |difference| {MaxAbsDifference:G3} > {Tolerance:G3}); nothing was written.");
        }
        Training.RunDirectory.WriteAtomically(path, temp => File.WriteAllBytes(temp, model));
    }
}

/// <summary>
/// Runs an exported model in ONNX Runtime and the original in TorchSharp on a fixed batch (synthetic faces plus
/// uniform noise, so both typical and odd inputs are covered) and compares the probabilities.
/// </summary>
public static class OnnxExportCheck
{
    /// <summary>
    /// float32 exports differ from TorchSharp only by summation order (measured about 1e-6); float16 weights add the
    /// rounding of the folded weights (measured about 1e-3). Anything larger is a wrong graph.
    /// </summary>
    public const double Float32Tolerance = 1e-4, Float16Tolerance = 2e-2;

    public static OnnxExportCheckResult Compare(EmotionClassifier classifier, byte[] model, bool halfPrecisionWeights, int faces = 32)
    {
        var batch = FixedBatch(faces);
        float[] expected;
        using (var images = tensor(batch, [faces, 1, FaceImage.Size, FaceImage.Size]))
        using (var probabilities = classifier.Probabilities(images))
        {
            expected = probabilities.cpu().data<float>().ToArray();
        }
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        var input = new DenseTensor<float>(batch, [faces, 1, FaceImage.Size, FaceImage.Size]);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(ClassifierOnnxExporter.InputName, input)], [ClassifierOnnxExporter.ProbabilitiesName]);
        var actual = outputs[0].AsTensor<float>().ToArray();
        var max = expected.Zip(actual, (a, b) => Math.Abs((double)a - b)).Max();
        return new OnnxExportCheckResult(faces, max, halfPrecisionWeights ? Float16Tolerance : Float32Tolerance);
    }

    /// <summary>
    /// An exported generator against TorchSharp: the same fixed noise and labels (every emotion) through both, max
    /// |difference| of the faces on their [-1, 1] scale; tight for float32 weights, looser for float16 ones.
    /// </summary>
    public static OnnxExportCheckResult CompareGenerator(GanGenerator generator, byte[] model, bool halfPrecisionWeights = false, int faces = 28)
    {
        var latent = generator.Card.Architecture.LatentSize;
        var noise = new float[faces * latent];
        var random = new Random(48);
        for (var i = 0; i < noise.Length; i++) noise[i] = (float)(random.NextDouble() * 4 - 2);
        var labels = Enumerable.Range(0, faces).Select(i => (long)(i % generator.Card.Architecture.Classes)).ToArray();
        float[] expected;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            expected = generator.Model.call(tensor(noise, [faces, latent]).to(generator.Device), tensor(labels).to(generator.Device)).cpu().data<float>().ToArray();
        }
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        using var outputs = session.Run([
            NamedOnnxValue.CreateFromTensor(GeneratorOnnxExporter.NoiseName, new DenseTensor<float>(noise, [faces, latent])),
            NamedOnnxValue.CreateFromTensor(GeneratorOnnxExporter.LabelsName, new DenseTensor<long>(labels, [faces])),
        ]);
        var actual = outputs[0].AsTensor<float>().ToArray();
        return new OnnxExportCheckResult(faces, expected.Zip(actual, (a, b) => Math.Abs((double)a - b)).Max(),
            halfPrecisionWeights ? GeneratorFloat16Tolerance : GeneratorTolerance);
    }

    /// <summary>Faces in [-1, 1]; 1e-3 is a quarter of one gray level, 2e-2 two and a half (float16 folded tables).</summary>
    public const double GeneratorTolerance = 1e-3, GeneratorFloat16Tolerance = 2e-2;

    private static float[] FixedBatch(int count)
    {
        var synthetic = DatasetLoader.Load($"synthetic:{Math.Max(count, 70)}:48", new DatasetOptions { UseCache = false }).Faces;
        var random = new Random(48);
        var values = new float[count * FaceImage.PixelCount];
        for (var i = 0; i < count; i++)
        {
            var pixels = synthetic.Pixels(i % synthetic.Count);
            for (var p = 0; p < FaceImage.PixelCount; p++)
            {
                // Every fourth face is noise: an exported graph that is only right on face-like input still fails.
                values[i * FaceImage.PixelCount + p] = i % 4 == 3 ? (float)random.NextDouble() : pixels[p] / 255f;
            }
        }
        return values;
    }
}
