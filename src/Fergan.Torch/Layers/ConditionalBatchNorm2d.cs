using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Fergan.Torch.Layers;

/// <summary>
/// Batch norm whose scale and shift are looked up per class (conditional batch norm, as in BigGAN's generator):
/// the class steers every layer of the generator, not only its input.
/// </summary>
public sealed class ConditionalBatchNorm2d : Module<Tensor, Tensor, Tensor>
{
    private readonly BatchNorm bn;
    private readonly Embedding gamma;
    private readonly Embedding beta;

    public ConditionalBatchNorm2d(long channels, long classes) : base(nameof(ConditionalBatchNorm2d))
    {
        bn = new BatchNorm(channels, affine: false);
        gamma = Embedding(classes, channels);
        beta = Embedding(classes, channels);
        using (no_grad())
        {
            gamma.weight!.fill_(1); // start as plain batch norm
            beta.weight!.zero_();
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor input, Tensor labels)
    {
        var normalised = bn.call(input);
        var scale = gamma.call(labels).unsqueeze(-1).unsqueeze(-1);
        var shift = beta.call(labels).unsqueeze(-1).unsqueeze(-1);
        return normalised * scale + shift;
    }
}
