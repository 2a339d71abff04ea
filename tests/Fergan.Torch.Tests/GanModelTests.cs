using Fergan.Torch.Gan.Augment;
using Fergan.Torch.Gan.Losses;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Gan.Training;
using Fergan.Torch.Layers;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

[Collection("Torch")]
public sealed class GanModelTests
{
    private static readonly GanArchitecture Small = GanArchitecture.ForFer2013(width: 4, latentSize: 16);

    public GanModelTests() => TorchRuntime.Initialize();

    [Fact]
    public void Spectral_normalisation_brings_the_largest_singular_value_to_one()
    {
        using var scope = NewDisposeScope();
        var weight = randn([32, 16, 3, 3], generator: new Generator(1)) * 5;
        var u = SpectralNorm.InitialU(32);
        Tensor normalised = weight;
        // One power step per training forward pass: after many passes the estimate has converged.
        for (var i = 0; i < 200; i++)
        {
            normalised = SpectralNorm.Apply(weight, u, training: true);
        }

        var sigma = linalg.matrix_norm(normalised.view(32, -1), ord: 2).item<float>();

        Assert.InRange(sigma, 0.98f, 1.02f);
        Assert.True(linalg.matrix_norm(weight.view(32, -1), ord: 2).item<float>() > 5, "the raw weight is far from normalised");
    }

    [Fact]
    public void Generator_makes_48x48_faces_in_minus_one_to_one_and_discriminator_scores_each()
    {
        using var scope = NewDisposeScope();
        var generator = new ConditionalGenerator(Small);
        var discriminator = new ProjectionDiscriminator(Small);
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 1 });

        var images = generator.call(randn(8, 16), labels);
        var scores = discriminator.call(images, labels);

        Assert.Equal([8L, 1, 48, 48], images.shape);
        Assert.True(images.abs().max().item<float>() <= 1f);
        Assert.Equal([8L], scores.shape);
    }

    [Fact]
    public void Channels_last_gives_the_same_faces_scores_and_gradients_and_really_changes_the_layout()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var generator = new ConditionalGenerator(Small);
        var discriminator = new ProjectionDiscriminator(Small, classifierHead: true);
        discriminator.eval(); // no power-iteration step, so both passes use the same spectral norms
        var z = randn(8, 16);
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 1 });
        // The layout of every image-shaped output of every layer (convolutions, batch norm) in G and D: the mode must
        // reach through both networks, not only their inputs.
        var layerOutputs = new List<(string Name, Tensor Output)>();
        foreach (var (name, layer) in generator.named_modules().Concat(discriminator.named_modules()))
        {
            if (layer is nn.Module<Tensor, Tensor> imageLayer)
            {
                imageLayer.register_forward_hook((_, _, output) =>
                {
                    if (output.dim() == 4)
                    {
                        layerOutputs.Add((name, output));
                    }
                    return output;
                });
            }
        }

        (Tensor Faces, Tensor Score, Tensor Classes, Tensor[] Gradients) Pass(bool channelsLast)
        {
            generator.ChannelsLast = discriminator.ChannelsLast = channelsLast;
            generator.zero_grad();
            discriminator.zero_grad();
            layerOutputs.Clear();
            var faces = generator.call(z, labels);
            var (score, classes) = discriminator.Judge(faces, labels);
            (score.sum() + classes!.pow(2).sum()).backward();
            var gradients = generator.parameters().Concat(discriminator.parameters()).Select(p => p.grad!.clone()).ToArray();
            return (faces.detach(), score.detach(), classes.detach(), gradients);
        }

        var plain = Pass(false);
        Assert.All(layerOutputs, o => Assert.False(MemoryLayout.IsChannelsLast(o.Output), $"{o.Name} is channels-last without the mode"));
        var channelsLast = Pass(true);

        // G: 3 up-blocks x (3 convolutions + 2 batch norms), its batch norm and output convolution; D: 4 down-blocks and their 3 convolutions each.
        Assert.Equal(17 + 16, layerOutputs.Count);
        Assert.All(layerOutputs, o => Assert.True(MemoryLayout.IsChannelsLast(o.Output), $"{o.Name} returned strides {string.Join(",", o.Output.stride())}"));
        Assert.True(channelsLast.Faces.allclose(plain.Faces, rtol: 1e-4, atol: 1e-5));
        Assert.True(channelsLast.Score.allclose(plain.Score, rtol: 1e-4, atol: 1e-4));
        Assert.True(channelsLast.Classes.allclose(plain.Classes, rtol: 1e-4, atol: 1e-4));
        // Relative to each gradient's size, with a floor at the largest gradient's: the sums run in another order, and
        // a few gradients are rounding noise around zero (biases of convolutions that a batch norm follows).
        var scale = plain.Gradients.Max(g => g.abs().max().item<float>());
        foreach (var (a, b, i) in plain.Gradients.Zip(channelsLast.Gradients, Enumerable.Range(0, plain.Gradients.Length)))
        {
            var difference = (a - b).abs().max().item<float>();
            Assert.True(difference <= 1e-3 * a.abs().max().item<float>() + 1e-5 * scale, $"gradient {i} differs by {difference} (its largest entry {a.abs().max().item<float>()}, the largest of all {scale})");
        }
    }

    [Fact]
    public void A_classifier_head_adds_emotion_logits_and_only_its_own_keys()
    {
        using var scope = NewDisposeScope();
        using var plain = new ProjectionDiscriminator(Small);
        using var withHead = new ProjectionDiscriminator(Small, classifierHead: true);
        var images = randn(4, 1, 48, 48);
        var labels = tensor(new long[] { 0, 1, 2, 3 });

        var (score, classes) = withHead.Judge(images, labels);

        Assert.Equal([4L], score.shape);
        Assert.NotNull(classes);
        Assert.Equal([4L, 7], classes.shape);
        Assert.Null(plain.Judge(images, labels).ClassLogits);
        // Without the head the keys are what older checkpoints hold; the head adds its own and nothing else.
        var added = withHead.state_dict().Keys.Except(plain.state_dict().Keys).Order().ToList();
        Assert.Equal(["classifier.bias", "classifier.u", "classifier.weight"], added);
    }

    [Fact]
    public void The_class_changes_the_generated_face()
    {
        using var scope = NewDisposeScope();
        var generator = new ConditionalGenerator(Small);
        using (no_grad())
        {
            // Give the class embeddings distinct values, as training would.
            foreach (var (name, p) in generator.named_parameters().Where(p => p.name.EndsWith("gamma.weight")))
            {
                p.copy_(randn(p.shape, generator: new Generator(3)));
            }
        }
        generator.eval();
        var z = randn(1, 16).repeat(2, 1);

        var faces = generator.call(z, tensor(new long[] { 1, 3 }));

        Assert.True((faces[0] - faces[1]).abs().max().item<float>() > 1e-3f);
    }

    /// <summary>D's side of the conditioning: the same face judged for another emotion gets another score.</summary>
    [Fact]
    public void The_class_changes_the_discriminators_score()
    {
        using var scope = NewDisposeScope();
        var discriminator = new ProjectionDiscriminator(Small);
        discriminator.eval();
        var face = rand(1, 1, 48, 48, generator: new Generator(4)).mul(2).sub(1).repeat(2, 1, 1, 1);

        var scores = discriminator.call(face, tensor(new long[] { 1, 3 }));

        Assert.True((scores[0] - scores[1]).abs().item<float>() > 1e-4f);
    }

    [Fact]
    public void Checkpoint_keys_are_pinned()
    {
        // Field names are the saved keys: renaming a field silently breaks old checkpoints, so this test pins them.
        using var generator = new ConditionalGenerator(Small);
        using var discriminator = new ProjectionDiscriminator(Small);

        var g = generator.state_dict().Keys.ToList();
        var d = discriminator.state_dict().Keys.ToList();

        Assert.Contains("fc.weight", g);
        Assert.Contains("blocks.0.bn1.gamma.weight", g);
        Assert.Contains("blocks.2.shortcut.weight", g);
        Assert.Contains("bn.running_var", g);
        Assert.Contains("output.bias", g);
        Assert.Contains("blocks.0.conv1.u", d);
        Assert.Contains("blocks.3.shortcut.weight", d);
        Assert.Contains("linear.u", d);
        Assert.Contains("embed.weight", d);
        Assert.Equal(g.Count, g.Distinct().Count());
    }

    [Fact]
    public void DiffAugment_keeps_shape_is_random_per_image_and_passes_gradients()
    {
        using var scope = NewDisposeScope();
        var images = (rand([6, 1, 48, 48], generator: new Generator(5)) * 2 - 1).requires_grad_(true);

        var augmented = DiffAugment.Apply(images, AugmentPolicy.All, new Generator(6));
        augmented.sum().backward();

        Assert.Equal(images.shape, augmented.shape);
        Assert.False(augmented.eq(images).all().item<bool>());
        Assert.True(images.grad!.abs().sum().item<float>() > 0);
        var cut = DiffAugment.Cutout(ones(4, 1, 48, 48), 0.5, new Generator(7));
        var zeroed = cut.eq(0).sum([1, 2, 3]);
        Assert.All(zeroed.data<long>().ToArray(), count => Assert.InRange(count, 12 * 12, 25 * 25));
        Assert.True(DiffAugment.Apply(images, AugmentPolicy.None).eq(images).all().item<bool>());
    }

    [Fact]
    public void Translation_shifts_each_image_by_whole_pixels_and_fills_with_zeros()
    {
        using var scope = NewDisposeScope();
        const int Side = 48, Max = 6; // 1/8 of the side
        var images = arange(4 * Side * Side, dtype: ScalarType.Float32).view(4, 1, Side, Side).add(1); // every pixel distinct and non-zero
        var shifted = DiffAugment.Translate(images, 0.125, new Generator(11));

        var moved = 0;
        for (var i = 0; i < 4; i++)
        {
            var found = false;
            for (var dy = -Max; dy <= Max && !found; dy++)
            {
                for (var dx = -Max; dx <= Max && !found; dx++)
                {
                    // The image moved by (dy, dx): out[y, x] = in[y - dy, x - dx], zero where that falls outside.
                    var expected = zeros(Side, Side);
                    var (y0, y1, x0, x1) = (Math.Max(0, dy), Side + Math.Min(0, dy), Math.Max(0, dx), Side + Math.Min(0, dx));
                    expected[y0..y1, x0..x1] = images[i, 0, (y0 - dy)..(y1 - dy), (x0 - dx)..(x1 - dx)];
                    if (shifted[i, 0].eq(expected).all().item<bool>())
                    {
                        found = true;
                        moved += dy != 0 || dx != 0 ? 1 : 0;
                    }
                }
            }
            Assert.True(found, $"image {i} is not a whole-pixel shift of its input within {Max} pixels");
        }
        Assert.True(moved > 0, "no image moved");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Real_batches_are_drawn_on_the_device_balanced_by_emotion_or_as_the_data_is(bool classBalanced)
    {
        using var scope = NewDisposeScope();
        // FER2013's imbalance: disgust about 1.5 % of the faces, happy 25 %.
        var faces = Fergan.Data.Loading.DatasetLoader.Load("synthetic:2000:4", new Fergan.Data.Loading.DatasetOptions { UseCache = false }).Faces;
        var training = faces.IndicesOf(Fergan.Data.DataSplit.Training);
        var labelOf = training.ToDictionary(i => Convert.ToHexString(faces.Pixels(i)), i => (long)faces.Label(i));
        using var batches = new RealBatches(faces, new GanOptions { BatchSize = 64, ClassBalanced = classBalanced, FlipReal = false }, CPU);

        manual_seed(3);
        var counts = new long[Fergan.Data.Emotions.Count];
        for (var b = 0; b < 100; b++)
        {
            var (images, labels) = batches.Next();
            var bytes = images.add(1).mul(127.5).round().to_type(ScalarType.Byte).reshape(64, -1);
            var labelArray = labels.data<long>().ToArray();
            for (var k = 0; k < 64; k++)
            {
                // Every face is a Training face and comes with its own label.
                Assert.Equal(labelOf[Convert.ToHexString(bytes[k].data<byte>().ToArray())], labelArray[k]);
                counts[labelArray[k]]++;
            }
        }
        var shares = counts.Select(c => c / 6400.0).ToArray();
        var dataShares = Fergan.Data.Emotions.All.Select(e => training.Count(i => faces.Label(i) == e) / (double)training.Length).ToArray();
        for (var c = 0; c < shares.Length; c++)
        {
            var expected = classBalanced ? 1.0 / shares.Length : dataShares[c];
            Assert.InRange(shares[c], expected - 0.025, expected + 0.025); // 6,400 draws: about 4 standard errors
        }
    }

    [Fact]
    public void Hinge_losses_have_their_textbook_values()
    {
        using var scope = NewDisposeScope();
        var real = tensor(new[] { 2f, 0f });
        var fake = tensor(new[] { -2f, 0f });

        Assert.Equal(1f, GanLosses.DiscriminatorHinge(real, fake).item<float>(), 5); // (0 + 1)/2 + (0 + 1)/2
        Assert.Equal(1f, GanLosses.GeneratorHinge(fake).item<float>(), 5);
    }

    [Fact]
    public void Ema_moves_towards_the_model_by_one_minus_decay()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Linear(2, 1);
        using var average = nn.Linear(2, 1);
        using (no_grad())
        {
            model.weight.fill_(1);
            average.weight.fill_(0);
        }

        ExponentialMovingAverage.Update(average, model, decay: 0.9);

        Assert.Equal(0.1f, average.weight.mean().item<float>(), 5);
    }
}
