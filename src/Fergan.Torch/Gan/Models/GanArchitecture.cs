using Fergan.Data;

namespace Fergan.Torch.Gan.Models;

/// <summary>
/// The shape of a generator/discriminator pair. Saved beside the weights, so a model directory can be
/// rebuilt without knowing how it was trained, and checked against what a caller expects.
/// </summary>
/// <param name="LatentSize">Length of the noise vector z.</param>
/// <param name="Width">Base channel count; stages use 4w, 4w, 2w, w (generator) and w, 2w, 4w, 4w (discriminator).</param>
/// <param name="Classes">Number of conditioning classes (the 7 emotions).</param>
/// <param name="ImageSize">Output side in pixels (48).</param>
public sealed record GanArchitecture(int LatentSize = 128, int Width = 32, int Classes = 7, int ImageSize = 48)
{
    /// <summary>The generator starts from a 6x6 map and doubles it three times: 6, 12, 24, 48.</summary>
    public const int StartSize = 6;

    public static GanArchitecture ForFer2013(int width, int latentSize = 128) =>
        new(latentSize, width, Emotions.Count, FaceImage.Size);

    /// <summary>"width 12, latent size 128, 7 classes, 48x48": what a user compares in a message.</summary>
    public override string ToString() => $"width {Width}, latent size {LatentSize}, {Classes} classes, {ImageSize}x{ImageSize}";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (LatentSize < 1)
        {
            errors.Add($"latent size must be positive (got {LatentSize})");
        }
        if (Width < 1)
        {
            errors.Add($"width must be positive (got {Width})");
        }
        if (Classes < 1)
        {
            errors.Add($"classes must be positive (got {Classes})");
        }
        if (ImageSize != StartSize * 8)
        {
            errors.Add($"image size must be {StartSize * 8} (got {ImageSize})");
        }
        return errors;
    }
}
