using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

/// <summary>
/// The faster ways to run a classifier step (channels-last layout, bf16 mixed precision) compute what the plain
/// float32 network computes, within the number format's precision, and really change how it computes.
/// </summary>
[Collection("Torch")]
public sealed class ComputeModeTests
{
    public ComputeModeTests() => TorchRuntime.Initialize();

    private static EmotionNet Net(ClassifierKind kind, int seed = 3)
    {
        manual_seed(seed);
        var net = new ClassifierArchitecture(kind, 8).Create();
        // Batch statistics from a few training passes, so eval-mode batch norm is not the identity.
        using (no_grad())
        {
            for (var k = 0; k < 3; k++)
            {
                net.call(rand(16, 1, 48, 48));
            }
        }
        return net;
    }

    [Fact]
    public void A_channels_last_input_makes_libtorch_run_and_return_convolutions_channels_last()
    {
        using var scope = NewDisposeScope();
        var images = rand(4, 1, 48, 48);
        var input = MemoryLayout.ChannelsLast(images);
        Assert.True(MemoryLayout.IsChannelsLast(input));
        Assert.False(MemoryLayout.IsChannelsLast(images));
        Assert.True(input.eq(images).all().item<bool>());
        // What the mode relies on: a convolution given a channels-last input answers channels-last, with contiguous weights.
        var conv = nn.Conv2d(1, 8, 3, padding: 1, bias: false);
        var output = conv.call(input);
        Assert.True(MemoryLayout.IsChannelsLast(output));
        Assert.False(MemoryLayout.IsChannelsLast(conv.call(images)));
        Assert.True(output.allclose(conv.call(images), rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(ClassifierKind.Baseline)]
    [InlineData(ClassifierKind.Vgg)]
    [InlineData(ClassifierKind.Resnet)]
    public void Channels_last_gives_the_same_logits_and_gradients(ClassifierKind kind)
    {
        using var scope = NewDisposeScope();
        using var net = Net(kind);
        var images = rand(8, 1, 48, 48);
        net.eval();
        var plain = net.call(images);
        net.ChannelsLast = true;
        var channelsLast = net.call(images);
        Assert.True(channelsLast.allclose(plain, rtol: 1e-4, atol: 1e-5), $"largest difference {(channelsLast - plain).abs().max().item<float>()}");
        // Every image-shaped activation keeps the layout (batch norm, ReLU, pooling and dropout preserve it).
        var x = MemoryLayout.ChannelsLast(images);
        foreach (var layer in net.ForwardLayers().OfType<nn.Module<Tensor, Tensor>>())
        {
            x = layer.call(x);
            Assert.True(x.dim() != 4 || MemoryLayout.IsChannelsLast(x), $"{layer.GetType().Name} returned strides {string.Join(",", x.stride())}");
        }

        net.train();
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 0 });
        net.ChannelsLast = false;
        var plainGradients = Gradients(net, images, labels);
        net.ChannelsLast = true;
        foreach (var (a, b) in plainGradients.Zip(Gradients(net, images, labels)))
        {
            Assert.True(a.allclose(b, rtol: 1e-3, atol: 1e-5), $"largest gradient difference {(a - b).abs().max().item<float>()}");
        }
    }

    /// <summary>Every parameter's gradient of one training-mode cross-entropy step, with fixed dropout masks.</summary>
    private static Tensor[] Gradients(EmotionNet net, Tensor images, Tensor labels)
    {
        net.zero_grad();
        manual_seed(5); // the same dropout masks in every mode compared
        nn.functional.cross_entropy(net.call(images), labels).backward();
        return net.parameters().Select(p => p.grad!.clone()).ToArray();
    }

    [Theory]
    [InlineData(ClassifierKind.Baseline)]
    [InlineData(ClassifierKind.Vgg)]
    [InlineData(ClassifierKind.Resnet)]
    public void The_layer_by_layer_pass_of_mixed_precision_is_the_forward_pass(ClassifierKind kind)
    {
        using var scope = NewDisposeScope();
        using var net = Net(kind);
        var images = rand(8, 1, 48, 48);
        foreach (var training in new[] { false, true })
        {
            net.train(training);
            manual_seed(4);
            var forward = net.call(images);
            manual_seed(4); // same dropout masks
            var layered = net.ForwardComputingIn(ScalarType.Float32, images);
            Assert.True(layered.allclose(forward, rtol: 1e-5, atol: 1e-6), $"training {training}: largest difference {(layered - forward).abs().max().item<float>()}");
        }
    }

    [Theory]
    [InlineData(ClassifierKind.Baseline)]
    [InlineData(ClassifierKind.Vgg)]
    [InlineData(ClassifierKind.Resnet)]
    public void Bf16_computes_in_bfloat16_returns_float32_logits_close_to_float32(ClassifierKind kind)
    {
        using var scope = NewDisposeScope();
        using var net = Net(kind);
        net.eval();
        var images = rand(32, 1, 48, 48);
        var plain = net.call(images);
        net.Precision = ComputePrecision.Bf16;
        var mixed = net.call(images);
        Assert.Equal(ScalarType.Float32, mixed.dtype);
        var difference = (mixed - plain).abs().max().item<float>();
        var scale = plain.abs().max().item<float>();
        // bfloat16 keeps 8 significant bits (about 0.4 % per rounding); through a few layers the logits move by
        // about a percent of their range, never by more than a few. Exactly equal would mean float32 ran.
        Assert.True(difference > 0, "bf16 logits equal the float32 ones bit for bit: the layers did not compute in bfloat16");
        Assert.True(difference < 0.05 * scale, $"largest difference {difference} against logits up to {scale}");
        Assert.True(mixed.argmax(1).eq(plain.argmax(1)).to_type(ScalarType.Float32).mean().item<float>() >= 0.9);
    }

    [Fact]
    public void Bf16_gradients_reach_the_float32_weights_pointing_the_same_way()
    {
        using var scope = NewDisposeScope();
        using var net = Net(ClassifierKind.Vgg);
        net.train();
        var images = rand(16, 1, 48, 48);
        var labels = randint(0, 7, [16], dtype: ScalarType.Int64);
        var gradients = new List<Tensor[]>();
        foreach (var precision in new[] { ComputePrecision.Fp32, ComputePrecision.Bf16 })
        {
            net.Precision = precision;
            gradients.Add(Gradients(net, images, labels));
        }
        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        // bfloat16 rounding moves ReLU and max-pool decisions near ties, so single small gradients (a batch-norm
        // shift, the first convolution) turn by up to about 30 degrees here; the whole gradient stays on course.
        // Measured on this net: per parameter 0.84 and up, whole 0.962.
        foreach (var (plain, mixed) in gradients[0].Zip(gradients[1]))
        {
            Assert.Equal(ScalarType.Float32, mixed.dtype);
            var cosine = Cosine(plain, mixed);
            Assert.True(cosine > 0.7, $"gradient of a {string.Join("x", plain.shape)} parameter: cosine {cosine:0.000} to float32's");
        }
        var whole = Cosine(cat(gradients[0].Select(g => g.flatten()).ToArray()), cat(gradients[1].Select(g => g.flatten()).ToArray()));
        Assert.True(whole > 0.9, $"whole gradient: cosine {whole:0.000} to float32's");
    }

    private static float Cosine(Tensor a, Tensor b) => nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim: 0).item<float>();
}
