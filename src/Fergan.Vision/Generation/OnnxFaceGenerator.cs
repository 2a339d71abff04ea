using Fergan.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fergan.Vision.Generation;

/// <summary>
/// A class-conditional generator exported by `fergan export gan-onnx`, run by ONNX Runtime: faces of a requested
/// emotion as 48x48 gray bytes. The noise is <see cref="GeneratorNoise"/>'s, as in `fergan gan sample`, so a seed gives
/// the same faces in both (up to a rounding step where the two runtimes' arithmetic differs in the last bits).
/// </summary>
public sealed class OnnxFaceGenerator : IDisposable
{
    /// <summary>The file name inside a generator folder (models/gan/generator.onnx).</summary>
    public const string ModelFile = "generator.onnx";

    private const string NoiseName = "noise", LabelsName = "labels", FacesName = "faces";
    private readonly InferenceSession _session;
    private readonly int _latentSize;

    public OnnxFaceGenerator(string path, SessionOptions? options = null)
    {
        if (Directory.Exists(path))
        {
            path = System.IO.Path.Combine(path, ModelFile);
        }
        if (!File.Exists(path))
        {
            throw new FerganException(MissingExport.Message("generator", path, "generator.json", "gan-onnx"));
        }
        options ??= OnnxSessions.Quiet();
        try
        {
            _session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new FerganException($"{path} is not a model ONNX Runtime can load: {e.Message}");
        }
        if (!_session.InputMetadata.TryGetValue(NoiseName, out var noise) || !_session.InputMetadata.ContainsKey(LabelsName) || !_session.OutputMetadata.ContainsKey(FacesName))
        {
            _session.Dispose();
            throw new FerganException($"{path} is not a Fergan generator export (it needs inputs '{NoiseName}', '{LabelsName}' and output '{FacesName}').");
        }
        _latentSize = noise.Dimensions[^1];
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// <paramref name="count"/> faces of <paramref name="emotion"/>, reproducible from <paramref name="seed"/>. With a
    /// finite <paramref name="truncation"/>, noise entries beyond ±t are redrawn (more typical faces, less variety).
    /// </summary>
    public IReadOnlyList<byte[]> Sample(Emotion emotion, int count, int seed = 2013, double truncation = double.PositiveInfinity)
    {
        if (count < 1)
        {
            throw new FerganException($"count must be at least 1 (got {count}).");
        }
        if (!(truncation > 0))
        {
            throw new FerganException($"truncation must be positive (got {truncation}).");
        }
        var noise = GeneratorNoise.Draw(count, _latentSize, seed, truncation);
        var labels = Enumerable.Repeat((long)emotion, count).ToArray();
        using var outputs = _session.Run([
            NamedOnnxValue.CreateFromTensor(NoiseName, new DenseTensor<float>(noise, [count, _latentSize])),
            NamedOnnxValue.CreateFromTensor(LabelsName, new DenseTensor<long>(labels, [count])),
        ]);
        var faces = outputs[0].AsTensor<float>().ToArray();
        return Enumerable.Range(0, count)
            .Select(i => faces.AsSpan(i * FaceImage.PixelCount, FaceImage.PixelCount).ToArray()
                .Select(v => (byte)Math.Clamp(Math.Round((v + 1) * 127.5), 0, 255)).ToArray())
            .ToList();
    }

    public void Dispose() => _session.Dispose();
}
