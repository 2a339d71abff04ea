using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Fergan.Torch.Layers;

/// <summary>A 2-D convolution whose weight is spectrally normalised (see <see cref="SpectralNorm"/>).</summary>
public sealed class SNConv2d : Module<Tensor, Tensor>
{
    // Field names are checkpoint keys: weight, bias, u.
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor u;
    private readonly long[] _stride;
    private readonly long[] _padding;

    public SNConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0)
        : base(nameof(SNConv2d))
    {
        // Borrow Conv2d's default (Kaiming-uniform) initialisation.
        using var template = Conv2d(inChannels, outChannels, kernelSize, stride, padding);
        weight = Parameter(template.weight!.detach().clone());
        bias = Parameter(template.bias!.detach().clone());
        u = SpectralNorm.InitialU(outChannels);
        _stride = [stride, stride];
        _padding = [padding, padding];
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) =>
        functional.conv2d(input, SpectralNorm.Apply(weight, u, training), bias, _stride, _padding);
}

/// <summary>A linear layer whose weight is spectrally normalised.</summary>
public sealed class SNLinear : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor u;

    public SNLinear(long inFeatures, long outFeatures) : base(nameof(SNLinear))
    {
        using var template = Linear(inFeatures, outFeatures);
        weight = Parameter(template.weight.detach().clone());
        bias = Parameter(template.bias!.detach().clone());
        u = SpectralNorm.InitialU(outFeatures);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => functional.linear(input, SpectralNorm.Apply(weight, u, training), bias);
}

/// <summary>A class embedding whose table is spectrally normalised (the projection discriminator's class vectors).</summary>
public sealed class SNEmbedding : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Tensor u;

    public SNEmbedding(long classes, long dimensions) : base(nameof(SNEmbedding))
    {
        weight = Parameter(randn(classes, dimensions) * 0.1);
        u = SpectralNorm.InitialU(classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor labels) => SpectralNorm.Apply(weight, u, training).index_select(0, labels);
}
