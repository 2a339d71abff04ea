using Fergan.Data;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier;

/// <summary>
/// A trained classifier ready for inference in TorchSharp: probabilities per emotion (optionally with ten-crop
/// test-time augmentation) and penultimate features (the reference feature space of the GAN metrics).
/// Loads from a model folder (classifier.json + classifier.bin).
/// </summary>
public sealed class EmotionClassifier : IEmotionPredictor
{
    private const int TenCropShift = 3; // pixels: crops of the face shifted by up to 3 px, each also mirrored

    private readonly Device _device;

    private EmotionClassifier(EmotionNet network, ClassifierCard card, Device device, string folder)
    {
        Network = network;
        Card = card;
        _device = device;
        Folder = folder;
    }

    public ClassifierCard Card { get; }
    public EmotionNet Network { get; }
    public string Folder { get; }

    /// <summary>The bundled classifier's folder (models/classifier in the repository, copied next to the program).</summary>
    public static string BundledFolder => Path.Combine(AppContext.BaseDirectory, "models", "classifier");

    /// <summary>The bundled reference network of the GAN metrics (models/reference), fixed so numbers compare across runs.</summary>
    public static string ReferenceFolder => Path.Combine(AppContext.BaseDirectory, "models", "reference");

    /// <summary>
    /// Whether two model folders hold the same weights (SHA-256 of their weights files, wherever their cards point):
    /// how `gan train` refuses a guide that is the reference network of `gan evaluate` under another name.
    /// </summary>
    public static bool HaveSameWeights(string folder, string other) => WeightsSha256(folder) == WeightsSha256(other);

    /// <summary>SHA-256 (hex) of a model folder's weights file, wherever its card points.</summary>
    public static string WeightsSha256(string folder)
    {
        var card = ClassifierCard.Read(folder);
        using var stream = File.OpenRead(Path.GetFullPath(Path.Combine(folder, card.WeightsPath ?? ClassifierCard.WeightsFile)));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    public static EmotionClassifier Load(string folder, string device = "cpu")
    {
        if (!Directory.Exists(folder))
        {
            throw new FerganException($"model folder {folder} does not exist.");
        }
        var card = ClassifierCard.Read(folder);
        var weights = Path.GetFullPath(Path.Combine(folder, card.WeightsPath ?? ClassifierCard.WeightsFile));
        if (!File.Exists(weights))
        {
            throw new FerganException($"{folder} has {ClassifierCard.CardFile} but its weights file {weights} does not exist.");
        }
        if (card.WeightsSha256 is { } expected)
        {
            using var stream = File.OpenRead(weights);
            var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new FerganException($"{weights} is not the file {Path.Combine(folder, ClassifierCard.CardFile)} pins (SHA-256 {actual}, expected {expected}): the reference weights changed, so metrics computed with it would not compare with earlier ones.");
            }
        }
        var target = TorchRuntime.Device(device);
        var network = StoredWeights.Open(card.Architecture.Create, weights, card.WeightsPrecision, target,
            message => $"{weights} cannot be loaded into the {card.Architecture} network that {ClassifierCard.CardFile} describes: {message}");
        return new EmotionClassifier(network, card, target, Path.GetFullPath(folder));
    }

    /// <summary>
    /// Writes this model to <paramref name="folder"/> with float16 weights (half the size; for bundling), its card
    /// marked so <see cref="Load"/> converts back to float32.
    /// </summary>
    public void SaveHalfPrecision(string folder)
    {
        Directory.CreateDirectory(folder);
        using var scratch = Card.Architecture.Create();
        StoredWeights.SaveHalf(Network, scratch, Path.Combine(folder, ClassifierCard.WeightsFile));
        (Card with { WeightsPrecision = StoredWeights.Float16 }).Write(folder);
    }

    /// <summary>Softmax probabilities of [N, 1, 48, 48] faces in [0, 1]; ten views averaged when <paramref name="tta"/> is set.</summary>
    public Tensor Probabilities(Tensor images, bool tta = false)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = images.to(_device);
        var p = tta
            ? TenCrop(x).Select(view => nn.functional.softmax(Network.call(view), 1)).Aggregate((a, b) => a.add(b)).div(10)
            : nn.functional.softmax(Network.call(x), 1);
        return p.MoveToOuterDisposeScope();
    }

    /// <summary>Probabilities of the given faces of a set, batched; one float[7] per face.</summary>
    public float[][] Predict(FaceSet faces, IReadOnlyList<int> indices, bool tta = false, int batchSize = 256) =>
        Batched(faces, indices, batchSize, x => Probabilities(x, tta));

    /// <summary>Penultimate features of faces of a set (no TTA), one float[FeatureSize] per face.</summary>
    public float[][] Features(FaceSet faces, IReadOnlyList<int> indices, int batchSize = 256) =>
        Batched(faces, indices, batchSize, Features);

    /// <summary>Penultimate features of [N, 1, 48, 48] faces in [0, 1].</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Network.Features(images.to(_device)).MoveToOuterDisposeScope();
    }

    private static float[][] Batched(FaceSet faces, IReadOnlyList<int> indices, int batchSize, Func<Tensor, Tensor> run)
    {
        var rows = new List<float[]>(indices.Count);
        for (var start = 0; start < indices.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = indices.Skip(start).Take(batchSize).ToList();
            rows.AddRange(ToRows(run(FaceTensors.Images(faces, chunk))));
        }
        return rows.ToArray();
    }

    /// <summary>[N, K] tensor to N float arrays (one copy to the host).</summary>
    public static float[][] ToRows(Tensor values)
    {
        var n = (int)values.shape[0];
        var k = (int)values.shape[1];
        var flat = values.detach().cpu().contiguous().data<float>().ToArray();
        return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * k, k).ToArray()).ToArray();
    }

    /// <summary>Ten views of each face: the centre and four corner crops of the edge-padded face, and their mirrors.</summary>
    private static IEnumerable<Tensor> TenCrop(Tensor x)
    {
        var size = x.shape[2];
        var padded = nn.functional.pad(x, [TenCropShift, TenCropShift, TenCropShift, TenCropShift], PaddingModes.Replicate);
        var offsets = new (long Y, long X)[] { (TenCropShift, TenCropShift), (0, 0), (0, 2 * TenCropShift), (2 * TenCropShift, 0), (2 * TenCropShift, 2 * TenCropShift) };
        foreach (var (y, xOffset) in offsets)
        {
            var crop = padded.narrow(2, y, size).narrow(3, xOffset, size);
            yield return crop;
            yield return crop.flip(3);
        }
    }

    public void Dispose() => Network.Dispose();
}
