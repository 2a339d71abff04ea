using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Fergan.Torch.Runtime;

/// <summary>The outcome of <see cref="RuntimeSelfTest.Run"/>.</summary>
public sealed record SelfTestResult(bool Passed, double InitialLoss, double FinalLoss, int Steps, double Milliseconds, string Device);

/// <summary>
/// Proves that training works on a device, not just that libraries load: a small conv net fits a fixed
/// batch of 48x48 inputs for a few Adam steps (forward, backward, optimiser), and the loss must halve.
/// </summary>
public static class RuntimeSelfTest
{
    public static SelfTestResult Run(string device = "cpu", int steps = 30)
    {
        var target = TorchRuntime.Device(device);
        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var generator = new Generator(4711);
        var images = rand([16, 1, 48, 48], generator: generator).to(target);
        var labels = randint(0, 7, [16], generator: generator).to(target);
        manual_seed(4711);
        var model = Sequential(
            ("conv", Conv2d(1, 8, 3, padding: 1)),
            ("relu", ReLU()),
            ("pool", AdaptiveAvgPool2d(8)),
            ("flat", Flatten()),
            ("fc", Linear(8 * 64, 7))).to(target);
        var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        double initial = 0, final = 0;
        for (var step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = functional.cross_entropy(model.call(images), labels);
            loss.backward();
            optimizer.step();
            var value = loss.item<float>();
            if (step == 0)
            {
                initial = value;
            }
            final = value;
        }
        return new SelfTestResult(final < initial * 0.5, initial, final, steps, watch.Elapsed.TotalMilliseconds, device);
    }
}
