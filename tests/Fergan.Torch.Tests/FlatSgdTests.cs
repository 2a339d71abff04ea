using Fergan.Tests;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using Fergan.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

/// <summary>
/// The flat-buffer SGD makes the same updates as TorchSharp's SGD, keeps the parameters as views of its buffer through
/// weight loading, and reads and writes TorchSharp's optimiser state, so checkpoints resume across the two.
/// </summary>
[Collection("Torch")]
public sealed class FlatSgdTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public FlatSgdTests() => TorchRuntime.Initialize();

    public void Dispose() => _temp.Dispose();

    private static EmotionNet Net()
    {
        manual_seed(11);
        var net = new ClassifierArchitecture(ClassifierKind.Vgg, 4).Create();
        net.eval(); // no dropout: two copies of the net must compute the same gradients
        return net;
    }

    private static readonly Tensor Images = rand([6, 1, 48, 48], generator: new Generator(3));
    private static readonly Tensor Labels = tensor(new long[] { 0, 1, 2, 3, 4, 5 });

    private static void Backward(EmotionNet net) => nn.functional.cross_entropy(net.call(Images), Labels).backward();

    private static void AssertSameParameters(EmotionNet expected, EmotionNet actual, double tolerance = 1e-6)
    {
        foreach (var ((name, a), (_, b)) in expected.named_parameters().Zip(actual.named_parameters()))
        {
            var difference = (a - b).abs().max().item<float>();
            Assert.True(difference <= tolerance, $"{name} differs by {difference}");
        }
    }

    /// <summary>Steps with TorchSharp's SGD and with the flat one, learning rate changing per step as in training.</summary>
    private static void StepBoth(EmotionNet reference, optim.Optimizer sgd, EmotionNet flatNet, FlatSgd flat, int steps, int firstStep = 0)
    {
        for (var k = firstStep; k < firstStep + steps; k++)
        {
            var rate = 0.05 * (1 + k % 3);
            foreach (var group in ((TorchSharp.Modules.SGD)sgd).ParamGroups)
            {
                group.LearningRate = rate;
            }
            flat.LearningRate = rate;
            sgd.zero_grad();
            Backward(reference);
            sgd.step();
            flat.ZeroGrad();
            Backward(flatNet);
            flat.Step();
        }
    }

    [Theory]
    [InlineData(0.9, 5e-4, true)]
    [InlineData(0.9, 0.0, false)]
    [InlineData(0.0, 1e-3, false)]
    public void Makes_the_same_updates_as_TorchSharps_SGD(double momentum, double weightDecay, bool nesterov)
    {
        using var reference = Net();
        using var flatNet = Net();
        var before = flatNet.parameters().Select(p => p.detach().clone()).ToArray();
        using var sgd = optim.SGD(reference.parameters(), 0.05, momentum, weight_decay: weightDecay, nesterov: nesterov);
        using var flat = new FlatSgd(flatNet.parameters(), 0.05, momentum, weightDecay, nesterov);
        // Becoming views of the flat buffer changes no value.
        foreach (var (p, b) in flatNet.parameters().Zip(before))
        {
            Assert.True(p.eq(b).all().item<bool>());
        }

        StepBoth(reference, sgd, flatNet, flat, steps: 5);

        AssertSameParameters(reference, flatNet);
        Assert.False(flatNet.parameters().First().eq(before[0]).all().item<bool>(), "the steps changed the weights");
        // The parameters really are the flat buffer: writing to it shows in them.
        using (no_grad())
        {
            flat.Values.zero_();
        }
        Assert.All(flatNet.parameters(), p => Assert.Equal(0f, p.abs().max().item<float>()));
    }

    [Fact]
    public void A_step_without_gradients_changes_nothing_and_one_with_some_missing_is_refused()
    {
        using var net = Net();
        using var flat = new FlatSgd(net.parameters(), 0.1, 0.9, 5e-4, nesterov: true);
        using var before = flat.Values.clone();

        flat.Step();

        Assert.True(flat.Values.eq(before).all().item<bool>());
        Backward(net);
        net.parameters().First().grad = null;
        var refused = Assert.Throws<InvalidOperationException>(flat.Step);
        Assert.Contains("1 of", refused.Message);
        Assert.True(flat.Values.eq(before).all().item<bool>());
    }

    [Fact]
    public void Loading_weights_writes_into_the_flat_buffer()
    {
        using var trained = Net();
        using (no_grad())
        {
            foreach (var p in trained.parameters())
            {
                p.add_(0.5);
            }
        }
        var weights = Path.Combine(_temp.Path, "model.bin");
        trained.save(weights);
        using var net = Net();
        using var flat = new FlatSgd(net.parameters(), 0.1, 0.9, 5e-4, nesterov: true);

        StoredWeights.LoadInPlace(net, weights); // how a classifier run resumes

        AssertSameParameters(trained, net, tolerance: 0);
        using var expected = cat(trained.parameters().Select(p => p.detach().flatten()).ToArray());
        Assert.True(flat.Values.eq(expected).all().item<bool>(), "load replaced the parameters instead of writing into them");
    }

    [Fact]
    public void Loading_off_the_cpu_keeps_the_parameters_the_optimiser_holds()
    {
        // Module.load moves a module that is not on the CPU there and back, which replaces its parameters: every
        // checkpoint of a GPU run failed to resume ("Tensor invalid -- empty handle"). The meta device (shapes, no data)
        // stands in for a GPU here: Module.load fails on it, loading in place keeps every parameter.
        var weights = Path.Combine(_temp.Path, "model.bin");
        using (var trained = Net())
        {
            trained.save(weights);
        }
        using var net = Net();
        net.to(new Device(DeviceType.META));
        using var flat = new FlatSgd(net.parameters(), 0.1, 0.9, 5e-4, nesterov: true);
        var held = net.parameters().Select(p => p.Handle).ToArray();

        StoredWeights.LoadInPlace(net, weights);

        Assert.Equal(held, net.parameters().Select(p => p.Handle).ToArray());
        Assert.All(net.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
        flat.Step(); // no gradients yet: a no-op that still reads every parameter's handle
    }

    [Fact]
    public void Loading_in_place_refuses_another_network_and_damaged_files()
    {
        var weights = Path.Combine(_temp.Path, "wide.bin");
        using (var wide = new ClassifierArchitecture(ClassifierKind.Vgg, 8).Create())
        {
            wide.save(weights);
        }
        using var net = Net();

        var error = Assert.ThrowsAny<Exception>(() => StoredWeights.LoadInPlace(net, weights));
        Assert.Contains("shape", error.Message);

        // Cut short (a copy that stopped), and a few stray bytes: named as such, not as a count of tensors.
        var own = Path.Combine(_temp.Path, "own.bin");
        net.save(own);
        var bytes = File.ReadAllBytes(own);
        File.WriteAllBytes(own, bytes[..(bytes.Length / 2)]);
        Assert.Contains("own.bin ends early", Assert.Throws<InvalidDataException>(() => StoredWeights.LoadInPlace(net, own)).Message);
        File.WriteAllBytes(own, [.. bytes, 0]);
        Assert.Contains("goes on after the network's last tensor", Assert.Throws<InvalidDataException>(() => StoredWeights.LoadInPlace(net, own)).Message);
        File.WriteAllBytes(own, "xx"u8.ToArray());
        Assert.Contains("damaged or another network's weights", Assert.Throws<InvalidDataException>(() => StoredWeights.LoadInPlace(net, own)).Message);
    }

    [Fact]
    public void Its_state_resumes_in_either_optimiser_and_continues_identically()
    {
        // Three steps each way, state saved, then two more steps after a reload: both orders of the two optimisers.
        using var reference = Net();
        using var flatNet = Net();
        using var sgd = optim.SGD(reference.parameters(), 0.05, 0.9, weight_decay: 5e-4, nesterov: true);
        using var flat = new FlatSgd(flatNet.parameters(), 0.05, 0.9, 5e-4, nesterov: true);
        StepBoth(reference, sgd, flatNet, flat, steps: 3);
        var sgdState = Path.Combine(_temp.Path, "sgd.bin");
        var flatState = Path.Combine(_temp.Path, "flat.bin");
        var weights = Path.Combine(_temp.Path, "weights.bin");
        ((TorchSharp.Modules.SGD)sgd).save_state_dict(sgdState);
        flat.Save(flatState);
        flatNet.save(weights);

        // A flat optimiser resumes from TorchSharp's state, and TorchSharp's from the flat one's.
        using var resumedFlatNet = Net();
        using var resumedFlat = new FlatSgd(resumedFlatNet.parameters(), 0.05, 0.9, 5e-4, nesterov: true);
        resumedFlatNet.load(weights);
        resumedFlat.Load(sgdState);
        using var resumedReference = Net();
        resumedReference.load(weights);
        using var resumedSgd = optim.SGD(resumedReference.parameters(), 0.05, 0.9, weight_decay: 5e-4, nesterov: true);
        ((TorchSharp.Modules.SGD)resumedSgd).load_state_dict(flatState);
        StepBoth(resumedReference, resumedSgd, resumedFlatNet, resumedFlat, steps: 2, firstStep: 3);
        StepBoth(reference, sgd, flatNet, flat, steps: 2, firstStep: 3);

        AssertSameParameters(reference, resumedFlatNet);
        AssertSameParameters(reference, resumedReference);
        AssertSameParameters(reference, flatNet);
    }
}
