using Fergan.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Models;

/// <summary>
/// A forward pass through a classifier's <see cref="EmotionNet.ForwardLayers"/> with the casts that PyTorch's
/// autocast inserts, because TorchSharp 0.107 has no autocast: each convolution and dense layer runs on bfloat16
/// copies of its input and weights (the casts are differentiable, so gradients reach the float32 weights as float32);
/// batch norm takes the bfloat16 activations with its float32 parameters and statistics (libtorch's mixed-type batch
/// norm, as under autocast); the logits come back as float32, so the loss is computed in float32.
/// </summary>
internal static class MixedPrecisionForward
{
    public static Tensor Run(IEnumerable<nn.Module> layers, Tensor standardised, ScalarType compute) =>
        Walk(layers, standardised, compute).to(ScalarType.Float32);

    private static Tensor Walk(IEnumerable<nn.Module> layers, Tensor input, ScalarType compute)
    {
        var x = input;
        foreach (var layer in layers)
        {
            x = layer switch
            {
                Conv2d conv => nn.functional.conv2d(x.to(compute), conv.weight!.to(compute), conv.bias?.to(compute), conv.stride,
                    conv.padding ?? throw new InvalidOperationException("mixed precision needs convolutions with explicit padding, not a padding mode."),
                    conv.dilation, conv.groups),
                Linear linear => nn.functional.linear(x.to(compute), linear.weight!.to(compute), linear.bias?.to(compute)),
                // The block's own forward, with its convolutions cast like the rest.
                ResidualBlock block => nn.functional.relu(Walk(block.Main, x, compute).add(block.Shortcut.Count == 0 ? x : Walk(block.Shortcut, x, compute))),
                nn.Module<Tensor, Tensor> other => other.call(x),
                _ => throw new InvalidOperationException($"mixed precision cannot run layer {layer.GetType().Name}."),
            };
        }
        return x;
    }
}
