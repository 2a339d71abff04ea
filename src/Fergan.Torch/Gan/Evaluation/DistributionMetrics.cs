using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Evaluation;

/// <summary>A mean and standard deviation over repeated estimates (KID subsets, IS splits).</summary>
public sealed record MeanStd(double Mean, double Std);

/// <summary>
/// Distances between a real and a generated feature distribution, in the feature space of a fixed reference network.
/// Features are [N, D] tensors; everything is computed in float64 on the CPU so results do not depend on the device.
/// </summary>
public static class DistributionMetrics
{
    /// <summary>
    /// Fréchet distance between Gaussians fitted to both sets (FID, Heusel et al. 2017):
    /// |mu_r - mu_g|^2 + tr(S_r + S_g - 2 (S_r^1/2 S_g S_r^1/2)^1/2), with the matrix square roots from symmetric
    /// eigendecompositions (stable where scipy's sqrtm of a non-symmetric product can return complex noise).
    /// </summary>
    public static double FrechetDistance(Tensor real, Tensor generated)
    {
        using var scope = NewDisposeScope();
        var (muR, covR) = MeanAndCovariance(real);
        var (muG, covG) = MeanAndCovariance(generated);
        var sqrtR = SymmetricSqrt(covR);
        var middle = sqrtR.matmul(covG).matmul(sqrtR);
        middle = middle.add(middle.t()).div(2); // symmetric up to rounding; make it exactly so
        var traceSqrt = linalg.eigvalsh(middle).clamp_min(0).sqrt().sum();
        var fid = muR.sub(muG).pow(2).sum().add(covR.trace()).add(covG.trace()).sub(traceSqrt.mul(2));
        return fid.item<double>();
    }

    /// <summary>
    /// Kernel distance (KID, Bińkowski et al. 2018): unbiased MMD^2 with the cubic polynomial kernel
    /// k(x, y) = (x.y / d + 1)^3, averaged over random subsets. Unbiased, so it suits small sets (disgust) better than FID.
    /// </summary>
    public static MeanStd KernelDistance(Tensor real, Tensor generated, int subsets = 10, int subsetSize = 1000, int seed = 2013)
    {
        using var scope = NewDisposeScope();
        var r = real.to_type(ScalarType.Float64).cpu();
        var g = generated.to_type(ScalarType.Float64).cpu();
        var m = Math.Min(subsetSize, (int)Math.Min(r.shape[0], g.shape[0]));
        if (m < 2)
        {
            return new MeanStd(double.NaN, double.NaN);
        }
        var d = r.shape[1];
        var generator = new Generator((ulong)seed);
        var values = new double[subsets];
        for (var s = 0; s < subsets; s++)
        {
            using var inner = NewDisposeScope();
            var x = r.index_select(0, randperm(r.shape[0], generator: generator).narrow(0, 0, m));
            var y = g.index_select(0, randperm(g.shape[0], generator: generator).narrow(0, 0, m));
            Tensor K(Tensor a, Tensor b) => a.matmul(b.t()).div(d).add(1).pow(3);
            var kxx = K(x, x);
            var kyy = K(y, y);
            var kxy = K(x, y);
            var offDiagonal = (double)m * (m - 1);
            var mmd = (kxx.sum().sub(kxx.diagonal().sum())).div(offDiagonal)
                .add(kyy.sum().sub(kyy.diagonal().sum()).div(offDiagonal))
                .sub(kxy.sum().mul(2.0 / ((double)m * m)));
            values[s] = mmd.item<double>();
        }
        return Summarise(values);
    }

    /// <summary>
    /// Inception-style score (Salimans et al. 2016) with the reference classifier: exp(E_x KL(p(y|x) || p(y))),
    /// over <paramref name="splits"/> splits. Ranges from 1 to the number of classes (7): high when each face is
    /// classified confidently and all emotions occur.
    /// </summary>
    public static MeanStd InceptionScore(Tensor probabilities, int splits = 10)
    {
        using var scope = NewDisposeScope();
        var p = probabilities.to_type(ScalarType.Float64).cpu().clamp_min(1e-12);
        var n = p.shape[0];
        splits = (int)Math.Max(1, Math.Min(splits, n));
        var values = new double[splits];
        for (var s = 0; s < splits; s++)
        {
            var start = s * n / splits;
            var part = p.narrow(0, start, (s + 1) * n / splits - start);
            var marginal = part.mean([0], keepdim: true);
            values[s] = Math.Exp(part.mul(part.log().sub(marginal.log())).sum(1).mean().item<double>());
        }
        return Summarise(values);
    }

    /// <summary>
    /// Improved precision and recall (Kynkäänniemi et al. 2019): precision is the share of generated faces inside the
    /// real manifold (the union of balls reaching each real feature's k-th nearest real neighbour); recall is the
    /// share of real faces inside the generated manifold. Precision measures realism, recall variety.
    /// </summary>
    public static (double Precision, double Recall) PrecisionRecall(Tensor real, Tensor generated, int k = 3)
    {
        using var scope = NewDisposeScope();
        var r = real.to_type(ScalarType.Float32);
        var g = generated.to_type(ScalarType.Float32).to(r.device);
        var realRadii = KthNeighbourDistance(r, k);
        var generatedRadii = KthNeighbourDistance(g, k);
        var precision = Coverage(g, r, realRadii);
        var recall = Coverage(r, g, generatedRadii);
        return (precision, recall);
    }

    private static Tensor KthNeighbourDistance(Tensor x, int k)
    {
        var distances = cdist(x, x);
        // k+1 smallest: the first is the point itself (distance 0).
        return distances.topk(Math.Min(k + 1, (int)x.shape[0]), dim: 1, largest: false).values.select(1, -1);
    }

    /// <summary>Share of <paramref name="points"/> within the radius of at least one of <paramref name="centres"/>.</summary>
    private static double Coverage(Tensor points, Tensor centres, Tensor radii)
    {
        const int Chunk = 2048;
        long inside = 0;
        for (long start = 0; start < points.shape[0]; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var part = points.narrow(0, start, Math.Min(Chunk, points.shape[0] - start));
            inside += cdist(part, centres).le(radii.unsqueeze(0)).any(1).sum().item<long>();
        }
        return inside / (double)points.shape[0];
    }

    private static (Tensor Mean, Tensor Covariance) MeanAndCovariance(Tensor features)
    {
        var x = features.to_type(ScalarType.Float64).cpu();
        var mean = x.mean([0]);
        var centred = x.sub(mean);
        var covariance = centred.t().matmul(centred).div(Math.Max(1, x.shape[0] - 1));
        return (mean, covariance);
    }

    private static Tensor SymmetricSqrt(Tensor matrix)
    {
        var (values, vectors) = linalg.eigh(matrix);
        return vectors.mul(values.clamp_min(0).sqrt().unsqueeze(0)).matmul(vectors.t());
    }

    private static MeanStd Summarise(double[] values)
    {
        var mean = values.Average();
        var std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
        return new MeanStd(mean, std);
    }
}
