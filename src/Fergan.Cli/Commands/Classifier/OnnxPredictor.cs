using Fergan.Data;
using Fergan.Torch.Classifier;
using Fergan.Vision.Classification;
using Fergan.Vision;

namespace Fergan.Cli.Commands.Classifier;

/// <summary>
/// A classifier's ONNX export (classifier.onnx in its folder) as an <see cref="IEmotionPredictor"/>, so `evaluate
/// --runtime onnx` scores it with the same evaluators: about four times the TorchSharp speed on 2 CPU cores.
/// <paramref name="threads"/> sets ONNX Runtime's intra-op threads (its default: one per physical core).
/// </summary>
internal sealed class OnnxPredictor(string folder, int? threads = null) : IEmotionPredictor
{
    private readonly OnnxEmotionClassifier _classifier = new(
        Directory.Exists(folder) ? Path.Combine(folder, OnnxEmotionClassifier.ModelFile) : folder, OnnxSessions.Quiet(threads ?? 0));

    public string Folder { get; } = Path.GetFullPath(folder);

    public float[][] Predict(FaceSet faces, IReadOnlyList<int> indices, bool tta = false, int batchSize = 256) =>
        _classifier.Predict(indices.Select(i => faces.Pixels(i).ToArray()).ToList(), tta, batchSize);

    public void Dispose() => _classifier.Dispose();
}
