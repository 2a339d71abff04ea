using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Training;

/// <summary>
/// Applies <see cref="ClassifierAugment"/> to a whole batch on its device with a handful of tensor operations (one
/// affine_grid + grid_sample for rotation, scale, shift and flip; one mask for erasing), so augmentation never
/// starves the model of data the way a per-image loop on the host would.
/// </summary>
public static class BatchAugmentation
{
    /// <param name="images">[N, 1, H, W] in [0, 1].</param>
    public static Tensor Apply(Tensor images, ClassifierAugment augment)
    {
        using var scope = NewDisposeScope();
        var n = images.shape[0];
        var device = images.device;
        var result = images;
        if (augment.MaxRotationDegrees > 0 || augment.MaxScale > 0 || augment.MaxShift > 0 || augment.Flip)
        {
            Tensor Uniform(double half) => rand([n], device: device).mul_(2).sub_(1).mul_(half);
            var angle = Uniform(augment.MaxRotationDegrees * Math.PI / 180);
            var scale = Uniform(augment.MaxScale).add_(1);
            // affine_grid works in [-1, 1] coordinates: a shift of f image sides is 2f there.
            var shiftX = Uniform(2 * augment.MaxShift);
            var shiftY = Uniform(2 * augment.MaxShift);
            var mirror = augment.Flip ? rand([n], device: device).lt(0.5).to_type(ScalarType.Float32).mul_(-2).add_(1) : ones([n], device: device);
            var cos = angle.cos().div(scale);
            var sin = angle.sin().div(scale);
            // Output pixel (x, y) samples input at theta @ (x, y, 1); mirroring negates the x input coordinate.
            var theta = stack([cos.mul(mirror), sin.neg().mul(mirror), shiftX, sin, cos, shiftY], 1).view(n, 2, 3);
            var grid = nn.functional.affine_grid(theta, [n, 1, images.shape[2], images.shape[3]], align_corners: false);
            result = nn.functional.grid_sample(result, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
        }
        if (augment.ErasingProbability > 0)
        {
            result = Erase(result, augment.ErasingProbability);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Random erasing: per face, with probability p, one rectangle of 2-20% of the area (aspect 0.3-3.3) becomes noise.</summary>
    private static Tensor Erase(Tensor images, double probability)
    {
        var n = images.shape[0];
        var h = images.shape[2];
        var w = images.shape[3];
        var device = images.device;
        var area = rand([n], device: device).mul_(0.18).add_(0.02).mul_(h * w);
        var logAspect = rand([n], device: device).mul_(Math.Log(3.3) - Math.Log(0.3)).add_(Math.Log(0.3));
        var aspect = logAspect.exp();
        var eraseH = area.mul(aspect).sqrt().clamp_max(h);
        var eraseW = area.div(aspect).sqrt().clamp_max(w);
        var top = rand([n], device: device).mul(eraseH.neg().add(h));
        var left = rand([n], device: device).mul(eraseW.neg().add(w));
        var rows = arange(h, device: device, dtype: ScalarType.Float32).view(1, h, 1);
        var cols = arange(w, device: device, dtype: ScalarType.Float32).view(1, 1, w);
        var inRows = rows.ge(top.view(n, 1, 1)).logical_and(rows.lt(top.add(eraseH).view(n, 1, 1)));
        var inCols = cols.ge(left.view(n, 1, 1)).logical_and(cols.lt(left.add(eraseW).view(n, 1, 1)));
        var chosen = rand([n, 1, 1], device: device).lt(probability);
        var mask = inRows.logical_and(inCols).logical_and(chosen).unsqueeze(1);
        return where(mask, rand_like(images), images);
    }
}
