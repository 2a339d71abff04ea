using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Models;

/// <summary>
/// VGG-style FER net in the spirit of the best published FER2013 single models (Khaireddin and Chen 2021, about
/// 73% PrivateTest): four stages of two 3x3 conv (no bias: BN follows) + BN + ReLU, each closed by 2x2 max-pool and
/// dropout, then dense(16w)+BN+ReLU+dropout and dense(7). Width 64 gives 64..512 channels, FC 1024, 9.4M parameters.
/// </summary>
public sealed class VggNet : EmotionNet
{
    private readonly Sequential _body;
    private readonly Sequential _hidden;
    private readonly Dropout _dropout;
    private readonly Linear _output;

    public VggNet(ClassifierArchitecture architecture) : base(nameof(VggNet), architecture)
    {
        var w = architecture.Width;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var inChannels = 1;
        var channels = new[] { w, 2 * w, 4 * w, 8 * w };
        for (var stage = 0; stage < channels.Length; stage++)
        {
            foreach (var input in new[] { inChannels, channels[stage] })
            {
                layers.Add(nn.Conv2d(input, channels[stage], 3, padding: 1, bias: false));
                layers.Add(new Layers.BatchNorm(channels[stage]));
                layers.Add(nn.ReLU(inplace: true));
            }
            layers.Add(nn.MaxPool2d(2)); // 48 -> 24 -> 12 -> 6 -> 3
            // Light dropout in early stages, more later: the late, wide stages are where FER2013 overfits.
            layers.Add(nn.Dropout2d(stage < 2 ? 0.1 : 0.2));
            inChannels = channels[stage];
        }
        layers.Add(nn.Flatten());
        _body = nn.Sequential(layers);
        FeatureSize = 16 * w;
        _hidden = nn.Sequential(nn.Linear(8 * w * 3 * 3, FeatureSize, hasBias: false), new Layers.BatchNorm(FeatureSize), nn.ReLU(inplace: true));
        _dropout = nn.Dropout(0.5);
        _output = nn.Linear(FeatureSize, architecture.Classes);
        RegisterComponents();
    }

    public override int FeatureSize { get; }

    public override Tensor Features(Tensor images) => _hidden.call(_body.call(Standardise(images)));

    public override Tensor Classify(Tensor features) => _output.call(_dropout.call(features));

    internal override IEnumerable<nn.Module> ForwardLayers() => [.. _body.children(), .. _hidden.children(), _dropout, _output];
}
