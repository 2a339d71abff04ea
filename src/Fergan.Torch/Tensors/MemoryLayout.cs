using static TorchSharp.torch;

namespace Fergan.Torch.Tensors;

/// <summary>
/// The channels-last memory layout (NHWC in memory, NCHW in shape) that TorchSharp 0.107 has no call for.
/// </summary>
/// <remarks>
/// libtorch picks a convolution's layout from its input and weight strides: given a channels-last input, cuDNN (and
/// oneDNN) run their NHWC kernels, write channels-last outputs, and batch norm, ReLU, pooling and dropout keep the
/// layout, so converting the input of a network is enough to run all of it channels-last. The weights stay in the
/// default layout (libtorch converts them per call, a small cost next to the activations), which keeps checkpoints,
/// the optimiser state and ONNX export unchanged: TorchSharp refuses to save a non-contiguous tensor.
/// </remarks>
public static class MemoryLayout
{
    /// <summary>
    /// A copy of a [N, C, H, W] tensor with channels-last strides (HWC, 1, WC, C) and the same values, what PyTorch's
    /// <c>contiguous(memory_format=torch.channels_last)</c> gives. Strides are set explicitly: the permute-and-copy
    /// idiom does nothing for one channel (gray faces), because libtorch ignores size-1 dimensions when it decides
    /// that a permuted tensor is already contiguous.
    /// </summary>
    public static Tensor ChannelsLast(Tensor images)
    {
        if (images.dim() != 4)
        {
            throw new ArgumentException($"channels-last needs a [N, C, H, W] tensor (got {images.dim()} dimensions).", nameof(images));
        }
        var (c, h, w) = (images.shape[1], images.shape[2], images.shape[3]);
        var result = empty_strided(images.shape, [h * w * c, 1, w * c, c], images.dtype, images.device);
        return result.copy_(images);
    }

    /// <summary>Whether <paramref name="images"/> is laid out channels-last: its channel stride is the smallest (1).</summary>
    public static bool IsChannelsLast(Tensor images)
    {
        if (images.dim() != 4)
        {
            return false;
        }
        var strides = images.stride();
        return strides[1] == 1 && strides[3] == images.shape[1] && strides[2] == images.shape[1] * images.shape[3];
    }
}
