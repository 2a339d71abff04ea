using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Fergan.Torch.Layers;

/// <summary>
/// Batch norm for [N, C] and [N, C, H, W] inputs, with the state-dict keys of TorchSharp's BatchNorm1d/2d (weight,
/// bias, running_mean, running_var, num_batches_tracked), so existing checkpoints load unchanged.
/// </summary>
/// <remarks>
/// Why not TorchSharp's: its forward increments num_batches_tracked with an implicitly created Scalar that nothing
/// keeps alive, and a garbage collection during that native call lets the finalizer free the Scalar under libtorch
/// ("Expected false to be true ... Scalar::toLong"; seen in CI about once in six runs). With a fixed momentum the count
/// is never read, so this module keeps the buffer (for the keys) and does not count; the normalisation itself is
/// libtorch's batch_norm with the same defaults (momentum 0.1, eps 1e-5).
/// </remarks>
public sealed class BatchNorm : Module<Tensor, Tensor>
{
    // Field names are checkpoint keys.
    private readonly Parameter? weight;
    private readonly Parameter? bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly Tensor num_batches_tracked;

    public const double Momentum = 0.1, Epsilon = 1e-5;

    public BatchNorm(long features, bool affine = true) : base(nameof(BatchNorm))
    {
        if (affine)
        {
            weight = Parameter(ones(features));
            bias = Parameter(zeros(features));
        }
        running_mean = zeros(features);
        running_var = ones(features);
        num_batches_tracked = tensor(0L);
        RegisterComponents();
    }

    /// <summary>
    /// Weight of each training batch in the running statistics (<see cref="Momentum"/> unless changed): a
    /// recomputation of the statistics sets 1/k for the k-th batch, which makes them the plain mean over its batches.
    /// </summary>
    internal double RunningMomentum { get; set; } = Momentum;

    /// <summary>Running statistics back to their initial values (mean 0, variance 1), before a recomputation.</summary>
    internal void ResetRunningStatistics()
    {
        using var noGrad = no_grad();
        running_mean.zero_();
        running_var.fill_(1);
    }

    public override Tensor forward(Tensor input) =>
        functional.batch_norm(input, running_mean, running_var, weight, bias, training, RunningMomentum, Epsilon);
}
