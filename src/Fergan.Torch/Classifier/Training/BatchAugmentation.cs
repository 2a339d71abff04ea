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
        if (augment.PhotometricProbability > 0)
        {
            result = Photometric(result, augment.PhotometricProbability);
        }
        if (augment.ErasingProbability > 0)
        {
            result = Erase(result, augment.ErasingProbability);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Light and sensor changes: a face is chosen with probability p, and a chosen face gets each change with
    /// probability 1/2: exposure 0.3-1.2 then gamma 0.7-2.0 (mostly darker, crushed shadows), contrast kept at 10-90 %
    /// around the face's mean, a blend of 0-100 % with a Gaussian blur (sigma 1.5), Gaussian noise of sigma 0-0.2.
    /// Every face's strengths are drawn for the whole batch and applied through masks: a fixed, small number of
    /// tensor operations however many faces are chosen.
    /// </summary>
    private static Tensor Photometric(Tensor images, double probability)
    {
        var n = images.shape[0];
        var device = images.device;
        Tensor PerFace() => rand([n, 1, 1, 1], device: device);
        Tensor Uniform(double low, double high) => PerFace().mul_(high - low).add_(low);
        var chosen = PerFace().lt(probability);
        Tensor Apply() => chosen.logical_and(PerFace().lt(0.5));

        var x = images;
        var exposure = Uniform(0.3, 1.2);
        var gamma = Uniform(Math.Log(0.7), Math.Log(2.0)).exp_();
        x = where(Apply(), x.mul(exposure).clamp_(0, 1).pow(gamma), x);

        var mean = x.mean([1, 2, 3], keepdim: true);
        x = where(Apply(), x.sub(mean).mul_(Uniform(0.1, 0.9)).add_(mean), x);

        var blurred = nn.functional.conv2d(nn.functional.pad(x, [2, 2, 2, 2], PaddingModes.Replicate), GaussianKernel(1.5, device));
        x = where(Apply(), x.add(blurred.sub(x).mul_(PerFace())), x);

        x = where(Apply(), x.add(randn_like(x).mul_(Uniform(0, 0.2))), x);
        return x.clamp(0, 1);
    }

    /// <summary>A normalised 5x5 Gaussian as a [1, 1, 5, 5] convolution weight, computed on the device (copying host values in would make the host wait for a GPU every step).</summary>
    internal static Tensor GaussianKernel(double sigma, Device device)
    {
        var d = arange(-2, 3, dtype: ScalarType.Float32, device: device);
        var oneD = d.mul(d).div_(-2 * sigma * sigma).exp_();
        oneD = oneD.div(oneD.sum());
        return oneD.view(5, 1).mul(oneD.view(1, 5)).view(1, 1, 5, 5);
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
