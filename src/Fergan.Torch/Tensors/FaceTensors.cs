using Fergan.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tensors;

/// <summary>Moves faces from a <see cref="FaceSet"/> into tensors: images as [N, 1, 48, 48] floats in [0, 1], labels as int64.</summary>
public static class FaceTensors
{
    /// <summary>Images of the given faces, scaled to [0, 1], on <paramref name="device"/>.</summary>
    public static Tensor Images(FaceSet faces, IReadOnlyList<int> indices, Device? device = null)
    {
        using var scope = NewDisposeScope();
        // One bulk copy of bytes, one conversion on the target device: no per-element tensor calls.
        var images = Bytes(faces, indices, device).to_type(ScalarType.Float32).div_(255f);
        return images.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The given faces as [N, 1, 48, 48] bytes on <paramref name="device"/>: how trainers keep a whole split resident
    /// (a quarter of the memory of floats), converting one batch at a time.
    /// </summary>
    public static Tensor Bytes(FaceSet faces, IReadOnlyList<int> indices, Device? device = null)
    {
        var bytes = new byte[indices.Count * FaceImage.PixelCount];
        for (var k = 0; k < indices.Count; k++)
        {
            faces.Pixels(indices[k]).CopyTo(bytes.AsSpan(k * FaceImage.PixelCount));
        }
        using var scope = NewDisposeScope();
        return tensor(bytes, [indices.Count, 1, FaceImage.Size, FaceImage.Size], ScalarType.Byte).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    public static Tensor Labels(FaceSet faces, IReadOnlyList<int> indices, Device? device = null)
    {
        var labels = indices.Select(i => (long)faces.Label(i)).ToArray();
        return tensor(labels, ScalarType.Int64, device ?? CPU);
    }

    /// <summary>The faces' soft labels (FER+ vote shares) as [N, 7] float32; the set must have them.</summary>
    public static Tensor SoftLabels(FaceSet faces, IReadOnlyList<int> indices, Device? device = null)
    {
        if (!faces.HasSoftLabels)
        {
            throw new ArgumentException("the set has no soft labels", nameof(faces));
        }
        var values = new float[indices.Count * Emotions.Count];
        for (var k = 0; k < indices.Count; k++)
        {
            faces.SoftLabel(indices[k]).CopyTo(values.AsSpan(k * Emotions.Count, Emotions.Count));
        }
        return tensor(values, [indices.Count, Emotions.Count], ScalarType.Float32).to(device ?? CPU);
    }
}
