using TorchSharp;
using TorchSharp.Modules;
using Fergan.Torch.Layers;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Models;

/// <summary>
/// A ResNet-18-style FER net sized for 48x48 faces: a 3x3 conv stem (w channels) + BN + ReLU at full resolution,
/// 2x2 max-pool, then four stages of two basic blocks (w, 2w, 4w, 8w channels at 24, 12, 6 and 3 pixels; each later
/// stage halves the resolution in its first block), global average pooling, dropout and dense(7). Width 64 has 11.2M
/// parameters and 313M multiply-adds a face, against vgg-64's 9.4M and 473M (the max-pool after the stem keeps the
/// first stage off 48x48). The modern option of issue 4: another inductive bias than vgg's (shortcuts, global
/// pooling instead of a wide dense layer), which is what an ensemble member needs.
/// </summary>
public sealed class ResNet : EmotionNet
{
    private readonly Sequential _body;
    private readonly Dropout _dropout;
    private readonly Linear _output;

    public ResNet(ClassifierArchitecture architecture) : base(nameof(ResNet), architecture)
    {
        var w = architecture.Width;
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Conv2d(1, w, 3, padding: 1, bias: false), new Layers.BatchNorm(w), nn.ReLU(),
            nn.MaxPool2d(2), // 48 -> 24
        };
        var inChannels = (long)w;
        foreach (var (channels, stride) in new[] { (w, 1L), (2 * w, 2L), (4 * w, 2L), (8 * w, 2L) }) // 24, 12, 6, 3
        {
            layers.Add(new ResidualBlock(inChannels, channels, stride));
            layers.Add(new ResidualBlock(channels, channels, 1));
            inChannels = channels;
        }
        layers.Add(nn.AdaptiveAvgPool2d(1));
        layers.Add(nn.Flatten());
        _body = nn.Sequential(layers);
        FeatureSize = 8 * w;
        _dropout = nn.Dropout(0.3);
        _output = nn.Linear(FeatureSize, architecture.Classes);
        RegisterComponents();
    }

    public override int FeatureSize { get; }

    public override Tensor Features(Tensor images) => _body.call(Standardise(images));

    public override Tensor Classify(Tensor features) => _output.call(_dropout.call(features));

    internal override IEnumerable<nn.Module> ForwardLayers() => [.. _body.children(), _dropout, _output];
}
