using Fergan.Torch.Gan.Evaluation;
using Fergan.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

[Collection("Torch")]
public sealed class GanMetricsTests
{
    public GanMetricsTests() => TorchRuntime.Initialize();

    private static Tensor Gaussian(int n, int d, double shift, ulong seed) =>
        randn([n, d], generator: new Generator(seed)).add(shift);

    [Fact]
    public void Fid_is_near_zero_for_one_distribution_and_grows_with_the_mean_shift()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(4000, 8, 0, 1);
        var b = Gaussian(4000, 8, 0, 2);
        var c = Gaussian(4000, 8, 1, 3);
        var same = DistributionMetrics.FrechetDistance(a, b);
        var shifted = DistributionMetrics.FrechetDistance(a, c);
        Assert.InRange(same, 0, 0.05);
        // The mean term alone is 8 * 1^2 = 8; covariances are equal.
        Assert.InRange(shifted, 7.8, 8.3);
    }

    [Fact]
    public void Fid_sees_a_covariance_change_the_mean_does_not_show()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(4000, 4, 0, 1);
        var wide = Gaussian(4000, 4, 0, 2).mul(2);
        // tr(I + 4I - 2 * sqrt(4I)) = 4 * (1 + 4 - 4) = 4
        Assert.InRange(DistributionMetrics.FrechetDistance(a, wide), 3.7, 4.3);
    }

    [Fact]
    public void Kid_is_unbiased_near_zero_for_one_distribution_and_positive_for_two()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(2000, 16, 0, 1);
        var b = Gaussian(2000, 16, 0, 2);
        var c = Gaussian(2000, 16, 0.5, 3);
        Assert.InRange(DistributionMetrics.KernelDistance(a, b, subsetSize: 500).Mean, -0.01, 0.01);
        Assert.True(DistributionMetrics.KernelDistance(a, c, subsetSize: 500).Mean > 0.05);
    }

    [Fact]
    public void Inception_score_is_the_number_of_classes_for_confident_varied_predictions_and_one_for_uniform()
    {
        using var scope = NewDisposeScope();
        var confident = eye(7).repeat(100, 1);
        Assert.Equal(7, DistributionMetrics.InceptionScore(confident, splits: 5).Mean, 2);
        var uniform = full([700, 7], 1.0 / 7);
        Assert.Equal(1, DistributionMetrics.InceptionScore(uniform).Mean, 6);
    }

    [Fact]
    public void Precision_and_recall_separate_realism_from_variety()
    {
        using var scope = NewDisposeScope();
        var real = Gaussian(1000, 4, 0, 1);
        var same = Gaussian(1000, 4, 0, 2);
        var (p, r) = DistributionMetrics.PrecisionRecall(real, same);
        Assert.True(p > 0.9 && r > 0.9, $"{p} {r}");
        // A generator that only produces a narrow core of the real distribution: realistic, not varied.
        var collapsed = Gaussian(1000, 4, 0, 3).mul(0.2);
        var (pc, rc) = DistributionMetrics.PrecisionRecall(real, collapsed);
        Assert.True(pc > 0.9, $"precision {pc}");
        Assert.True(rc < 0.3, $"recall {rc}");
    }
}
