using Fergan.Data;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Sampling;

/// <summary>
/// A trained generator ready to sample faces of a requested emotion: as tensors for on-the-fly augmentation,
/// or as 48x48 gray byte images. Loads from a model folder (generator.json + generator.bin).
/// </summary>
public sealed class GanGenerator : IDisposable
{
    private readonly ConditionalGenerator _model;
    private readonly Device _device;

    private GanGenerator(ConditionalGenerator model, GeneratorCard card, Device device, string folder)
    {
        _model = model;
        Card = card;
        _device = device;
        Folder = folder;
    }

    public GeneratorCard Card { get; }

    /// <summary>The network itself (for export).</summary>
    internal ConditionalGenerator Model => _model;

    internal Device Device => _device;

    /// <summary>The model folder it was loaded from.</summary>
    public string Folder { get; }

    /// <summary>The bundled generator's folder (models/gan in the repository, copied next to the program).</summary>
    public static string BundledFolder => Path.Combine(AppContext.BaseDirectory, "models", "gan");

    /// <param name="weights">Another weights file of the same run (e.g. generators/step-002000.bin); default: the folder's generator.bin.</param>
    public static GanGenerator Load(string folder, string device = "cpu", string? weights = null)
    {
        if (Path.GetFullPath(folder) == Path.GetFullPath(BundledFolder) && !Directory.Exists(folder))
        {
            throw new FerganException("this build has no bundled generator yet; train one with `fergan gan train` and pass its folder with --model (or --gan).");
        }
        var card = GeneratorCard.Read(folder);
        weights ??= Path.Combine(folder, GeneratorCard.WeightsFile);
        if (!File.Exists(weights))
        {
            throw new FerganException($"{folder} has {GeneratorCard.CardFile} but no {GeneratorCard.WeightsFile}.");
        }
        var target = TorchRuntime.Device(device);
        var model = StoredWeights.Open(() => new ConditionalGenerator(card.Architecture), weights, card.WeightsPrecision, target,
            message => $"{weights} cannot be loaded into the generator that {GeneratorCard.CardFile} describes (damaged, or another architecture): {message}");
        return new GanGenerator(model, card, target, Path.GetFullPath(folder));
    }

    /// <summary>
    /// Writes this generator to <paramref name="folder"/> with float16 weights (half the size; for bundling), its card
    /// marked so <see cref="Load"/> converts back to float32.
    /// </summary>
    public void SaveHalfPrecision(string folder)
    {
        Directory.CreateDirectory(folder);
        using var scratch = new ConditionalGenerator(Card.Architecture);
        StoredWeights.SaveHalf(Model, scratch, Path.Combine(folder, GeneratorCard.WeightsFile));
        (Card with { WeightsPrecision = StoredWeights.Float16 }).Write(folder);
    }

    /// <summary>
    /// Faces for the given labels, as [N, 1, 48, 48] in [-1, 1] on the generator's device. With truncation t &lt; ∞,
    /// noise entries beyond ±t are redrawn (the truncation trick: more typical faces, less variety).
    /// </summary>
    /// <remarks>
    /// Noise from a seeded <paramref name="generator"/> (a CPU generator) is drawn on the CPU, so a seed gives the same
    /// faces on every device. Without one (the gan strategy's faces in every training batch) it is drawn on the
    /// generator's device from the global generator: noise drawn on the CPU would be copied in from pageable memory,
    /// which makes the host wait for the GPU's queued work every batch. On the CPU both ways give the same numbers.
    /// </remarks>
    public Tensor Sample(Tensor labels, double truncation = double.PositiveInfinity, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var z = TruncatedNoise(labels.shape[0], Card.Architecture.LatentSize, truncation, generator, generator is null ? _device : null);
        return Generate(z, labels).MoveToOuterDisposeScope();
    }

    /// <summary>Faces for the given noise [N, latent size] and labels [N], as [N, 1, 48, 48] in [-1, 1] on the generator's device.</summary>
    public Tensor Generate(Tensor noise, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var count = labels.shape[0];
        if (noise.dim() != 2 || noise.shape[0] != count || noise.shape[1] != Card.Architecture.LatentSize)
        {
            throw new FerganException($"the generator needs noise of shape [{count}, {Card.Architecture.LatentSize}] (got [{string.Join(", ", noise.shape)}]).");
        }
        var z = noise.to(_device);
        labels = labels.to(_device);
        // On the CPU, in pieces: a 256-face batch of the width-64 generator holds gigabytes of activations, which
        // the kernel has to fault in page by page; pieces of CpuPiece faces stay in reused, cache-warm memory.
        // The noise is given for all faces first, so the faces do not depend on the piece size.
        var piece = _device.type == DeviceType.CPU ? CpuPiece : count;
        if (count <= piece)
        {
            return _model.call(z, labels).MoveToOuterDisposeScope();
        }
        var parts = new List<Tensor>();
        for (long start = 0; start < count; start += piece)
        {
            using var pieceScope = NewDisposeScope(); // frees this piece's activations before the next one
            var n = Math.Min(piece, count - start);
            parts.Add(_model.call(z.narrow(0, start, n), labels.narrow(0, start, n)).MoveToOuterDisposeScope());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Faces per generator forward pass on the CPU (see <see cref="Sample"/>).</summary>
    internal const int CpuPiece = 16;

    /// <summary>
    /// <paramref name="count"/> faces of one emotion as 48x48 gray bytes, reproducible from <paramref name="seed"/>: the
    /// noise is <see cref="GeneratorNoise"/>'s, so the generator's ONNX export gives the same faces for the same seed.
    /// </summary>
    public IReadOnlyList<byte[]> SampleFaces(Emotion emotion, int count, double truncation = double.PositiveInfinity, int seed = 2013)
    {
        if (count < 1)
        {
            throw new FerganException($"--count must be at least 1 (got {count}).");
        }
        if (!(truncation > 0))
        {
            throw new FerganException($"--truncation must be positive (got {truncation}).");
        }
        var latent = Card.Architecture.LatentSize;
        var noise = GeneratorNoise.Draw(count, latent, seed, truncation);
        var faces = new List<byte[]>(count);
        const int Chunk = 256;
        for (var start = 0; start < count; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(Chunk, count - start);
            var z = tensor(noise.AsSpan(start * latent, n * latent).ToArray(), [n, latent]);
            var labels = full([n], (long)emotion, ScalarType.Int64);
            faces.AddRange(ToBytes(Generate(z, labels)));
        }
        return faces;
    }

    /// <summary>Converts [N, 1, 48, 48] images in [-1, 1] to gray bytes.</summary>
    /// <remarks>Eager on purpose: an iterator would keep its dispose scope open across yields.</remarks>
    public static List<byte[]> ToBytes(Tensor images)
    {
        using var scope = NewDisposeScope();
        var bytes = images.detach().cpu().add(1).mul(127.5).round().clamp(0, 255).to_type(ScalarType.Byte).contiguous();
        var all = bytes.data<byte>().ToArray();
        return Enumerable.Range(0, (int)images.shape[0])
            .Select(i => all.AsSpan(i * FaceImage.PixelCount, FaceImage.PixelCount).ToArray())
            .ToList();
    }

    internal static Tensor TruncatedNoise(long count, int size, double truncation, Generator? generator, Device? device = null)
    {
        if (truncation <= 0)
        {
            throw new FerganException($"--truncation must be positive (got {truncation}).");
        }
        var z = randn([count, size], device: device, generator: generator);
        if (double.IsFinite(truncation))
        {
            // Redraw out-of-range entries until none remain (each pass keeps the in-range ones).
            for (var pass = 0; pass < 100; pass++)
            {
                var outside = z.abs().gt(truncation);
                if (!outside.any().item<bool>())
                {
                    break;
                }
                z = where(outside, randn([count, size], device: device, generator: generator), z);
            }
            z = z.clamp(-truncation, truncation);
        }
        return z;
    }

    public void Dispose() => _model.Dispose();
}
