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
    public static Tensor Run(IEnumerable<nn.Module> layers, Tensor standardised, ScalarType compute)
    {
        var x = standardised;
        foreach (var layer in layers)
        {
            x = layer switch
            {
                Conv2d conv => nn.functional.conv2d(x.to(compute), conv.weight!.to(compute), conv.bias?.to(compute),
                    conv.stride, conv.padding, conv.dilation, conv.groups),
                Linear linear => nn.functional.linear(x.to(compute), linear.weight!.to(compute), linear.bias?.to(compute)),
                nn.Module<Tensor, Tensor> other => other.call(x),
                _ => throw new InvalidOperationException($"mixed precision cannot run layer {layer.GetType().Name}."),
            };
        }
        return x.to(ScalarType.Float32);
    }
}
