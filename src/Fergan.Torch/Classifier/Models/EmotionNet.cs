using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Models;

/// <summary>
/// A FER classifier: [N, 1, 48, 48] gray faces in [0, 1] in, one logit per emotion out. Split into
/// <see cref="Features"/> (the penultimate activations, also the feature space of the GAN metrics) and the final
/// linear layer, so FID and nearest-neighbour searches use exactly the network that classifies.
/// </summary>
public abstract class EmotionNet : nn.Module<Tensor, Tensor>
{
    /// <summary>
    /// Pixel mean and standard deviation of FER2013 Training+PublicTest on the [0, 1] scale (measured: 0.5075,
    /// 0.2536). Standardising inside the network means every caller (trainer, evaluator, ONNX export) feeds the same
    /// [0, 1] input.
    /// </summary>
    public const float PixelMean = 0.5075f, PixelStd = 0.2536f;

    protected EmotionNet(string name, ClassifierArchitecture architecture) : base(name) => Architecture = architecture;

    public ClassifierArchitecture Architecture { get; }

    /// <summary>Length of the feature vector <see cref="Features"/> returns.</summary>
    public abstract int FeatureSize { get; }

    /// <summary>Penultimate activations of faces in [0, 1]: [N, <see cref="FeatureSize"/>].</summary>
    public abstract Tensor Features(Tensor images);

    /// <summary>Logits from features.</summary>
    public abstract Tensor Classify(Tensor features);

    /// <summary>
    /// The number format of <see cref="forward"/>: a mode like training or evaluation, set by whoever runs the net
    /// (the trainer, the step benchmark), not saved with the weights. <see cref="Features"/> always computes in
    /// float32.
    /// </summary>
    public ComputePrecision Precision { get; set; } = ComputePrecision.Fp32;

    /// <summary>Run <see cref="forward"/> in the channels-last memory layout (see <see cref="Tensors.MemoryLayout"/>); same values, other kernels.</summary>
    public bool ChannelsLast { get; set; }

    public override Tensor forward(Tensor images)
    {
        if (ChannelsLast)
        {
            images = Tensors.MemoryLayout.ChannelsLast(images);
        }
        return Precision == ComputePrecision.Bf16 ? ForwardComputingIn(ScalarType.BFloat16, images) : Classify(Features(images));
    }

    /// <summary>The forward pass layer by layer, convolutions and dense layers computing in <paramref name="compute"/> (see <see cref="MixedPrecisionForward"/>).</summary>
    internal Tensor ForwardComputingIn(ScalarType compute, Tensor images) => MixedPrecisionForward.Run(ForwardLayers(), Standardise(images), compute);

    /// <summary>
    /// Every module of the forward pass in order, after <see cref="Standardise"/>: what the ONNX exporter walks.
    /// Features end at the input of the last <see cref="TorchSharp.Modules.Linear"/>. Running them in order must equal
    /// <see cref="forward"/>: mixed precision runs them so too.
    /// </summary>
    internal abstract IEnumerable<nn.Module> ForwardLayers();

    protected static Tensor Standardise(Tensor images) => images.sub(PixelMean).div(PixelStd);

    public long ParameterCount() => parameters().Sum(p => p.numel());
}
