using Fergan.Data;

namespace Fergan.Torch.Classifier;

/// <summary>
/// Whatever turns faces of a set into emotion probabilities: the TorchSharp classifier, or its ONNX export run by
/// ONNX Runtime (much faster on a CPU). The evaluators need nothing more, so both are scored by the same code.
/// </summary>
public interface IEmotionPredictor : IDisposable
{
    /// <summary>The model folder or file, for reports.</summary>
    string Folder { get; }

    /// <summary>Probabilities of the given faces of a set, one float[7] per face; ten-crop views averaged with <paramref name="tta"/>.</summary>
    float[][] Predict(FaceSet faces, IReadOnlyList<int> indices, bool tta = false, int batchSize = 256);
}
