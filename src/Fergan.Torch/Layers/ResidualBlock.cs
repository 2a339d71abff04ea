using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Fergan.Torch.Layers;

/// <summary>
/// A ResNet basic block (He et al. 2016): relu(main(x) + shortcut(x)), where main is 3x3 conv (stride s) + BN + ReLU
/// + 3x3 conv + BN, and shortcut is the identity, or a 1x1 conv (stride s) + BN where the block changes width or
/// resolution. Its two paths are plain layer lists, so the ONNX exporter and the mixed-precision pass walk them as
/// they walk a whole network.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    // Field names are checkpoint keys.
    private readonly Sequential main;
    private readonly Sequential? shortcut;

    public ResidualBlock(long inChannels, long outChannels, long stride) : base(nameof(ResidualBlock))
    {
        main = nn.Sequential(
            nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false), new BatchNorm(outChannels), nn.ReLU(),
            nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false), new BatchNorm(outChannels));
        if (stride != 1 || inChannels != outChannels)
        {
            shortcut = nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), new BatchNorm(outChannels));
        }
        RegisterComponents();
        Main = main.children().ToList();
        Shortcut = shortcut?.children().ToList() ?? [];
    }

    /// <summary>The residual path's layers, in order.</summary>
    public IReadOnlyList<nn.Module> Main { get; }

    /// <summary>The shortcut's layers; empty for the identity.</summary>
    public IReadOnlyList<nn.Module> Shortcut { get; }

    public override Tensor forward(Tensor input) =>
        nn.functional.relu(main.call(input).add(shortcut is null ? input : shortcut.call(input)));
}
