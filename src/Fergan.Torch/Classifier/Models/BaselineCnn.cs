using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Models;

/// <summary>
/// The seed report's baseline: conv(w)-ReLU-pool, conv(2w)-ReLU-pool, conv(4w)-ReLU-pool, dense(8w)-ReLU-dropout,
/// dense(7). No batch norm, on purpose: it is the "simple CNN" the stronger models are measured against.
/// </summary>
public sealed class BaselineCnn : EmotionNet
{
    private readonly Sequential _body;
    private readonly Linear _hidden;
    private readonly ReLU _hiddenActivation; // a module (not functional relu) so the ONNX exporter sees it; no weights
    private readonly Dropout _dropout;
    private readonly Linear _output;

    public BaselineCnn(ClassifierArchitecture architecture) : base(nameof(BaselineCnn), architecture)
    {
        var w = architecture.Width;
        _body = nn.Sequential(
            nn.Conv2d(1, w, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),          // 24x24
            nn.Conv2d(w, 2 * w, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),     // 12x12
            nn.Conv2d(2 * w, 4 * w, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2), // 6x6
            nn.Flatten());
        FeatureSize = 8 * w;
        _hidden = nn.Linear(4 * w * 6 * 6, FeatureSize);
        _hiddenActivation = nn.ReLU();
        _dropout = nn.Dropout(0.5);
        _output = nn.Linear(FeatureSize, architecture.Classes);
        RegisterComponents();
    }

    public override int FeatureSize { get; }

    public override Tensor Features(Tensor images) => _hiddenActivation.call(_hidden.call(_body.call(Standardise(images))));

    public override Tensor Classify(Tensor features) => _output.call(_dropout.call(features));

    internal override IEnumerable<nn.Module> ForwardLayers() => [.. _body.children(), _hidden, _hiddenActivation, _dropout, _output];
}
