using Fergan.Data;
using Fergan.Data.Evaluation;
using Fergan.Torch.Classifier.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Evaluation;

/// <summary>
/// The scores model selection reads: plain cross-entropy and metrics of a network on faces held on its device, in
/// float32 evaluation mode whatever it trains in. Shared by the trainer's epochs and the soup's candidates, so a soup
/// and a training run select by the same numbers.
/// </summary>
internal static class ValidationScores
{
    private const int Chunk = 512;

    /// <param name="images">[N, 1, 48, 48], bytes (0-255, converted a chunk at a time) or floats in [0, 1].</param>
    public static (double Loss, ClassificationMetrics Metrics) Of(EmotionNet network, Tensor images, int[] labels)
    {
        network.eval();
        network.Precision = ComputePrecision.Fp32;
        using var noGrad = no_grad();
        var probabilities = new List<float[]>(labels.Length);
        double lossSum = 0;
        for (var start = 0; start < labels.Length; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(Chunk, labels.Length - start);
            var chunk = images.narrow(0, start, n);
            var logits = network.call(chunk.dtype == ScalarType.Byte ? chunk.to_type(ScalarType.Float32).div_(255f) : chunk);
            var truth = tensor(labels.AsSpan(start, n).ToArray().Select(l => (long)l).ToArray(), device: images.device);
            lossSum += nn.functional.cross_entropy(logits, truth, reduction: nn.Reduction.Sum).item<float>();
            probabilities.AddRange(EmotionClassifier.ToRows(nn.functional.softmax(logits, 1)));
        }
        return (lossSum / labels.Length, ClassificationMetrics.Compute(labels, probabilities, Emotions.Names));
    }
}
