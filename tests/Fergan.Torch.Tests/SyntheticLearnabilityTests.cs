using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Fergan.Torch.Tests;

/// <summary>The synthetic faces encode their emotion in shapes a small CNN can learn (what tests and demos rely on).</summary>
[Collection("Torch")]
public sealed class SyntheticLearnabilityTests(ITestOutputHelper output)
{
    [Fact]
    public void A_small_cnn_learns_the_synthetic_emotions()
    {
        TorchRuntime.Initialize();
        var faces = DatasetLoader.Load("synthetic:1400:11:balanced", new DatasetOptions { UseCache = false }).Faces;
        var train = faces.IndicesOf(DataSplit.Training);
        var test = faces.IndicesOf(DataSplit.PublicTest).Concat(faces.IndicesOf(DataSplit.PrivateTest)).ToArray();
        manual_seed(4711);
        // Batch norm matters: tones and lighting vary a lot between faces, and without it this net stays at the
        // class prior (loss ln 7) for many epochs.
        var model = Sequential(
            ("conv1", Conv2d(1, 16, 3, padding: 1)), ("bn1", BatchNorm2d(16)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
            ("conv2", Conv2d(16, 32, 3, padding: 1)), ("bn2", BatchNorm2d(32)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
            ("conv3", Conv2d(32, 32, 3, padding: 1)), ("bn3", BatchNorm2d(32)), ("relu3", ReLU()), ("pool3", AdaptiveAvgPool2d(3)),
            ("flat", Flatten()), ("fc", Linear(32 * 9, Emotions.Count)));
        var optimizer = optim.Adam(model.parameters(), lr: 3e-3);
        var random = new Random(5);

        for (var epoch = 0; epoch < 8; epoch++)
        {
            var total = 0.0;
            var order = train.ToArray();
            random.Shuffle(order);
            foreach (var batch in order.Chunk(64))
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = functional.cross_entropy(model.call(FaceTensors.Images(faces, batch)), FaceTensors.Labels(faces, batch));
                loss.backward();
                optimizer.step();
                total += loss.item<float>();
            }
            output.WriteLine($"epoch {epoch}: mean loss {total / Math.Ceiling(train.Length / 64.0):0.000}");
        }

        model.eval();
        using var evalScope = NewDisposeScope();
        using var noGrad = no_grad();
        var predicted = model.call(FaceTensors.Images(faces, test)).argmax(1);
        var accuracy = predicted.eq(FaceTensors.Labels(faces, test)).to_type(ScalarType.Float32).mean().item<float>();
        output.WriteLine($"held-out accuracy {accuracy:0.000}");
        Assert.True(accuracy >= 0.85f, $"test accuracy {accuracy:0.000} on {test.Length} held-out synthetic faces (chance is 0.14)");
    }
}
