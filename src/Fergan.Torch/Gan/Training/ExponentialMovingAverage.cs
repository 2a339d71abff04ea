using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Training;

/// <summary>
/// Keeps <c>ema = decay * ema + (1 - decay) * model</c> for every parameter, and copies buffers (batch-norm
/// statistics). Sampling from the averaged generator gives smoother, better faces than the raw one.
/// </summary>
public static class ExponentialMovingAverage
{
    public static void Update(nn.Module average, nn.Module model, double decay)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (target, source) in average.parameters().Zip(model.parameters()))
        {
            target.mul_(decay).add_(source, alpha: 1 - decay);
        }
        foreach (var (target, source) in average.buffers().Zip(model.buffers()))
        {
            target.copy_(source);
        }
    }

    /// <summary>Makes <paramref name="average"/> an exact copy of <paramref name="model"/> (at the start of training).</summary>
    public static void CopyFrom(nn.Module average, nn.Module model) => Update(average, model, 0);
}
