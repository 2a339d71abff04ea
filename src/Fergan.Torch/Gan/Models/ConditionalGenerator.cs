using Fergan.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Fergan.Torch.Gan.Models;

/// <summary>
/// Class-conditional generator: z (and the emotion) to a 48x48 gray face in [-1, 1]. A linear map to a 6x6 map,
/// three residual up-sampling blocks with conditional batch norm (BigGAN-style), then BN, ReLU, a 3x3 conv and tanh.
/// </summary>
public sealed class ConditionalGenerator : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly ModuleList<Module<Tensor, Tensor, Tensor>> blocks;
    private readonly Layers.BatchNorm bn;
    private readonly Conv2d output;
    private readonly long _startChannels;

    public ConditionalGenerator(GanArchitecture architecture) : base(nameof(ConditionalGenerator))
    {
        Architecture = architecture;
        var w = architecture.Width;
        long[] channels = [4 * w, 4 * w, 2 * w, w];
        _startChannels = channels[0];
        fc = Linear(architecture.LatentSize, GanArchitecture.StartSize * GanArchitecture.StartSize * channels[0]);
        blocks = new ModuleList<Module<Tensor, Tensor, Tensor>>();
        for (var i = 0; i < 3; i++)
        {
            blocks.Add(new UpBlock(channels[i], channels[i + 1], architecture.Classes));
        }
        bn = new Layers.BatchNorm(channels[^1]);
        output = Conv2d(channels[^1], 1, 3, padding: 1);
        RegisterComponents();
    }

    public GanArchitecture Architecture { get; }

    /// <summary>
    /// Run the convolutional part in the channels-last memory layout (see <see cref="Tensors.MemoryLayout"/>): same
    /// values, the GPU's faster NHWC kernels. A mode set by the trainer, not saved with the weights.
    /// </summary>
    public bool ChannelsLast { get; set; }

    public override Tensor forward(Tensor z, Tensor labels)
    {
        var x = fc.call(z).view(-1, _startChannels, GanArchitecture.StartSize, GanArchitecture.StartSize);
        if (ChannelsLast)
        {
            // The first map sets the layout; conditional batch norm, up-sampling and the convolutions keep it.
            x = Tensors.MemoryLayout.ChannelsLast(x);
        }
        foreach (var block in blocks)
        {
            x = block.call(x, labels);
        }
        return output.call(functional.relu(bn.call(x))).tanh();
    }

    /// <summary>CBN, ReLU, 2x nearest up-sampling, 3x3 conv, CBN, ReLU, 3x3 conv; plus an up-sampled 1x1-conv shortcut.</summary>
    private sealed class UpBlock : Module<Tensor, Tensor, Tensor>
    {
        private readonly ConditionalBatchNorm2d bn1;
        private readonly Conv2d conv1;
        private readonly ConditionalBatchNorm2d bn2;
        private readonly Conv2d conv2;
        private readonly Conv2d shortcut;

        public UpBlock(long inChannels, long outChannels, long classes) : base(nameof(UpBlock))
        {
            bn1 = new ConditionalBatchNorm2d(inChannels, classes);
            conv1 = Conv2d(inChannels, outChannels, 3, padding: 1);
            bn2 = new ConditionalBatchNorm2d(outChannels, classes);
            conv2 = Conv2d(outChannels, outChannels, 3, padding: 1);
            shortcut = Conv2d(inChannels, outChannels, 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x, Tensor labels)
        {
            var h = Upsample2x(functional.relu(bn1.call(x, labels)));
            h = conv1.call(h);
            h = conv2.call(functional.relu(bn2.call(h, labels)));
            // A 1x1 convolution commutes with nearest up-sampling (each output pixel copies one input pixel, and the
            // convolution maps each pixel alone), so the shortcut convolves first: the same values from a quarter of
            // the pixels (its forward + backward 1.2-3x faster on the CPU).
            return h + Upsample2x(shortcut.call(x));
        }

        private static Tensor Upsample2x(Tensor x) =>
            functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
    }
}
