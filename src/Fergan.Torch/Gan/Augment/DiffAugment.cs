using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Augment;

/// <summary>Which differentiable augmentations to apply (DiffAugment's policy names).</summary>
[Flags]
public enum AugmentPolicy
{
    None = 0,

    /// <summary>Random brightness and contrast per image.</summary>
    Color = 1,

    /// <summary>Random shift by up to 1/8 of the image side, zero-filled.</summary>
    Translation = 2,

    /// <summary>A random square of half the image side blanked out.</summary>
    Cutout = 4,

    All = Color | Translation | Cutout,
}

/// <summary>
/// Differentiable augmentation (Zhao et al. 2020): the same random, differentiable transforms are applied to real
/// and fake images on their way into the discriminator, so D cannot memorise a small training set (436 disgust
/// faces) while gradients still reach G. Images are [N, 1, H, W] in [-1, 1]; every op allocates on the input's device.
/// </summary>
public static class DiffAugment
{
    public static Tensor Apply(Tensor images, AugmentPolicy policy, Generator? generator = null)
    {
        var x = images;
        if (policy.HasFlag(AugmentPolicy.Color))
        {
            x = Color(x, generator);
        }
        if (policy.HasFlag(AugmentPolicy.Translation))
        {
            x = Translate(x, 0.125, generator);
        }
        if (policy.HasFlag(AugmentPolicy.Cutout))
        {
            x = Cutout(x, 0.5, generator);
        }
        return x;
    }

    private static Tensor PerImage(Tensor x, Generator? generator) =>
        rand([x.shape[0], 1, 1, 1], dtype: x.dtype, device: x.device, generator: generator);

    /// <summary>Brightness: add U(-0.5, 0.5); contrast: scale around the image mean by U(0.5, 1.5).</summary>
    internal static Tensor Color(Tensor x, Generator? generator)
    {
        x = x + (PerImage(x, generator) - 0.5);
        var mean = x.mean([1, 2, 3], keepdim: true);
        return (x - mean) * (PerImage(x, generator) + 0.5) + mean;
    }

    /// <summary>Shifts each image by a whole number of pixels in [-ratio*side, ratio*side], filling with zeros.</summary>
    internal static Tensor Translate(Tensor x, double ratio, Generator? generator)
    {
        var n = x.shape[0];
        var size = x.shape[2];
        var max = (long)Math.Round(size * ratio);
        var shift = randint(-max, max + 1, [n, 2], device: x.device, generator: generator).to_type(x.dtype);
        // An affine grid in normalised coordinates: a shift of s pixels is 2s/size.
        // Built on the device only: a host value copied in (tensor(1f, device)) would make the host wait for the GPU.
        var theta = zeros([n, 2, 3], dtype: x.dtype, device: x.device);
        theta[.., 0, 0].fill_(1);
        theta[.., 1, 1].fill_(1);
        theta[.., .., 2] = shift * (2.0 / size);
        var grid = nn.functional.affine_grid(theta, [n, x.shape[1], size, x.shape[3]], align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
    }

    /// <summary>Zeroes a square of side ratio*side at a random position (it may hang over the border).</summary>
    internal static Tensor Cutout(Tensor x, double ratio, Generator? generator)
    {
        var n = x.shape[0];
        var height = x.shape[2];
        var width = x.shape[3];
        var side = (long)Math.Round(height * ratio);
        var cy = randint(0, height + 1 - side % 2, [n, 1, 1], device: x.device, generator: generator);
        var cx = randint(0, width + 1 - side % 2, [n, 1, 1], device: x.device, generator: generator);
        var rows = arange(height, device: x.device).view(1, -1, 1);
        var cols = arange(width, device: x.device).view(1, 1, -1);
        var inside = (rows - cy).abs().le(side / 2).logical_and((cols - cx).abs().le(side / 2));
        return x * inside.logical_not().unsqueeze(1).to_type(x.dtype);
    }
}
