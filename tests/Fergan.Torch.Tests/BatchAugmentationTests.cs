using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

/// <summary>The classifier's on-device augmentation: what each setting does to a batch.</summary>
[Collection("Torch")]
public sealed class BatchAugmentationTests
{
    public BatchAugmentationTests() => TorchRuntime.Initialize();

    private static readonly ClassifierAugment PhotometricOnly = ClassifierAugment.Off with { PhotometricProbability = 1 };

    /// <summary>Faces with structure (a gradient and a bright square) and mid-range light, so every change shows.</summary>
    private static Tensor Faces(int n)
    {
        var ramp = linspace(0.2, 0.8, 48).view(1, 1, 1, 48).expand(n, 1, 48, 48).clone();
        ramp.narrow(2, 16, 12).narrow(3, 16, 12).fill_(0.9);
        return ramp;
    }

    /// <summary>Which faces of a batch differ anywhere from the originals.</summary>
    private static bool[] Changed(Tensor before, Tensor after) =>
        after.sub(before).abs().amax([1, 2, 3]).gt(1e-4).data<bool>().ToArray();

    [Fact]
    public void The_blur_kernel_is_a_normalised_separable_gaussian()
    {
        using var scope = NewDisposeScope();
        var kernel = BatchAugmentation.GaussianKernel(1.5, CPU).view(5, 5);

        Assert.Equal(1f, kernel.sum().item<float>(), 5);
        Assert.True(kernel.allclose(kernel.t()) && kernel.allclose(kernel.flip(0)));
        // Neighbouring taps fall by exp(-(d^2 - (d-1)^2) / (2 sigma^2)).
        Assert.Equal(Math.Exp(-1 / (2 * 1.5 * 1.5)), kernel[2, 1].item<float>() / kernel[2, 2].item<float>(), 5);
        Assert.Equal(Math.Exp(-3 / (2 * 1.5 * 1.5)), kernel[2, 0].item<float>() / kernel[2, 1].item<float>(), 5);
    }

    [Fact]
    public void With_everything_off_the_batch_comes_back_unchanged()
    {
        using var scope = NewDisposeScope();
        var faces = Faces(16);

        Assert.True(BatchAugmentation.Apply(faces, ClassifierAugment.Off).equal(faces).all().item<bool>());
    }

    [Fact]
    public void Photometric_changes_stay_in_range_and_vary_light_and_contrast_between_faces()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var faces = Faces(512);

        var augmented = BatchAugmentation.Apply(faces, PhotometricOnly);

        Assert.True(augmented.min().item<float>() >= 0 && augmented.max().item<float>() <= 1);
        // A chosen face escapes all four changes with probability 1/16.
        var changed = Changed(faces, augmented).Count(c => c) / 512.0;
        Assert.InRange(changed, 0.88, 0.99);
        // The originals share one brightness and one contrast; the augmented faces spread over both.
        var brightness = augmented.mean([1, 2, 3]);
        var contrast = augmented.std([1, 2, 3]);
        Assert.True(brightness.std().item<float>() > 0.05, "exposure and gamma should spread the faces' brightness");
        Assert.True(contrast.min().item<float>() < 0.5 * faces[0].std().item<float>(), "some faces should lose most of their contrast");
        // Darkening dominates (exposure 0.3-1.2, gamma mostly above 1): the low-light condition FER systems miss.
        Assert.True(brightness.mean().item<float>() < faces.mean().item<float>());
    }

    [Fact]
    public void The_photometric_probability_sets_the_share_of_faces_changed()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var faces = Faces(1000);

        var augmented = BatchAugmentation.Apply(faces, ClassifierAugment.Off with { PhotometricProbability = 0.3 });

        // 0.3 chosen, of which 15/16 get at least one change: about 0.28.
        Assert.InRange(Changed(faces, augmented).Count(c => c) / 1000.0, 0.22, 0.34);
    }
}
