using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Layers;

/// <summary>
/// Spectral normalisation (Miyato et al. 2018), which TorchSharp lacks (dotnet/TorchSharp#1243): a weight is
/// divided by an estimate of its largest singular value, kept by one power iteration per training forward pass
/// in a persistent vector <c>u</c>. This bounds each layer's Lipschitz constant, which keeps a GAN's
/// discriminator from overpowering the generator.
/// </summary>
public static class SpectralNorm
{
    /// <summary>Returns <paramref name="weight"/> / sigma; in training mode also advances <paramref name="u"/> one power step.</summary>
    public static Tensor Apply(Tensor weight, Tensor u, bool training, double eps = 1e-12)
    {
        var matrix = weight.view(weight.shape[0], -1);
        Tensor v;
        using (no_grad())
        {
            v = nn.functional.normalize(matrix.t().mv(u), dim: 0, eps: eps);
            if (training)
            {
                u.copy_(nn.functional.normalize(matrix.mv(v), dim: 0, eps: eps));
            }
        }
        // sigma = u^T W v, with the gradient flowing through W only (u and v are constants here). A clone of u
        // goes into the graph: the next forward pass (D judges real, then fake, before backward) updates u in place.
        var sigma = u.clone().dot(matrix.mv(v));
        return weight / sigma;
    }

    /// <summary>A random unit vector with one entry per output unit (the power iteration's start).</summary>
    internal static Tensor InitialU(long rows) => nn.functional.normalize(randn(rows), dim: 0);
}
