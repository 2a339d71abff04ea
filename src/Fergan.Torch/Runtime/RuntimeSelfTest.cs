using System.Diagnostics;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Fergan.Torch.Runtime;

/// <summary>The outcome of <see cref="RuntimeSelfTest.Run"/>.</summary>
/// <param name="Learned">The small net halved its loss.</param>
/// <param name="Reproducible">Repeated backward passes on identical inputs gave bit-identical, finite gradients.</param>
/// <param name="ReallocationPageFaults">
/// CPU only: page faults while a 40 MiB tensor was freed and made again five times (a few when the C allocator reuses
/// large buffers, about 51,000 when it maps them afresh; see TorchRuntimeOptions.ReuseLargeBuffers). Null on CUDA.
/// </param>
/// <param name="Resumes">
/// Weights and optimiser state saved halfway, loaded back in place, and the second half trained again ends where it
/// ended the first time (exactly on the CPU, to 1e-4 relative on CUDA): the resume path of every training run.
/// </param>
/// <param name="ResumeProblem">Why it did not, when it did not.</param>
public sealed record SelfTestResult(bool Learned, bool Reproducible, double InitialLoss, double FinalLoss, int Steps, double Milliseconds, string Device,
    long? ReallocationPageFaults, bool Resumes = true, string? ResumeProblem = null)
{
    public bool Passed => Learned && Reproducible && Resumes;
}

/// <summary>
/// Proves that training works on a device, not just that libraries load: a small conv net fits a fixed
/// batch of 48x48 inputs for a few Adam steps (forward, backward, optimiser), and the loss must halve; and the
/// GAN generator's backward pass, repeated on one fixed input, must give bit-identical finite gradients (CPU
/// kernels that fail this corrupt training silently; see TorchRuntimeOptions.OneDnnMaxIsa); and a checkpoint saved
/// halfway and loaded back must replay the second half (on a GPU, TorchSharp's own Module.load replaced the parameters
/// the optimiser held, so no run could resume there until 2026-11-27).
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
        double Step()
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = functional.cross_entropy(model.call(images), labels);
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }
        double initial = 0, final = 0, learningMilliseconds;
        bool resumes;
        string? resumeProblem = null;
        var checkpoint = Directory.CreateTempSubdirectory("fergan-self-test-");
        try
        {
            var modelFile = Path.Combine(checkpoint.FullName, "model.bin");
            var optimizerFile = Path.Combine(checkpoint.FullName, "optimizer.bin");
            for (var step = 0; step < steps; step++)
            {
                if (step == steps / 2)
                {
                    model.save(modelFile);
                    ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(optimizerFile);
                }
                final = Step();
                if (step == 0)
                {
                    initial = final;
                }
            }
            learningMilliseconds = watch.Elapsed.TotalMilliseconds;
            // The second half again, from the checkpoint loaded into the same model and optimiser, as a resume does.
            try
            {
                StoredWeights.LoadInPlace(model, modelFile);
                ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(optimizerFile);
                var replayed = double.NaN;
                for (var step = steps / 2; step < steps; step++)
                {
                    replayed = Step();
                }
                var tolerance = target.type == DeviceType.CPU ? 0 : 1e-4 * Math.Abs(final);
                resumes = Math.Abs(replayed - final) <= tolerance;
                resumeProblem = resumes ? null : $"the replayed second half ended at loss {replayed:0.000000}, the first run at {final:0.000000}";
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever breaks while loading back (libtorch, a disposed parameter) is this probe's finding, not a crash.
                resumes = false;
                resumeProblem = e.Message.Split('\n')[0];
            }
        }
        finally
        {
            checkpoint.Delete(recursive: true);
        }
        var reproducible = GradientsReproducible(target);
        long? faults = target.type == DeviceType.CPU ? ReallocationPageFaults() : null;
        return new SelfTestResult(final < initial * 0.5, reproducible, initial, final, steps, learningMilliseconds, device, faults, resumes, resumeProblem);
    }

    /// <summary>
    /// Page faults of five rounds of making, filling and freeing a 40 MiB tensor (after two warm-up rounds): each
    /// round costs 10,240 faults when the block is mapped afresh and next to none when it is reused (measured here:
    /// 1, sometimes one round's worth when another thread's allocation split the freed block; without warm-up
    /// rounds the first reuse faults too).
    /// </summary>
    /// <remarks>
    /// Meaningful on the process's main thread, where the CLI trains: glibc serves other threads from 64 MiB arena
    /// heaps that it unmaps once empty, whatever the thresholds. 40 MiB is above glibc's own largest threshold (32 MiB).
    /// </remarks>
    public static long ReallocationPageFaults()
    {
        static void Round()
        {
            using var buffer = empty(10L << 20);
            buffer.fill_(1); // touch every page
        }
        Round();
        Round();
        var before = MinorPageFaults();
        for (var i = 0; i < 5; i++)
        {
            Round();
        }
        return MinorPageFaults() - before;
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat; 0 where there is none).</summary>
    private static long MinorPageFaults()
    {
        const string Stat = "/proc/self/stat";
        if (!File.Exists(Stat))
        {
            return 0;
        }
        var stat = File.ReadAllText(Stat);
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Runs the generator's backward pass several times on one input. On the CPU all gradients must match exactly; CUDA
    /// convolution backward passes sum with atomics in varying order, so there they must agree to 1e-3 (relative).
    /// Corrupt kernels (what this probe caught on the development VM) differ by far more, or give NaN.
    /// </summary>
    public static bool GradientsReproducible(Device device, int repeats = 8)
    {
        using var scope = NewDisposeScope();
        manual_seed(4712);
        using var generator = new Gan.Models.ConditionalGenerator(Gan.Models.GanArchitecture.ForFer2013(width: 16));
        generator.to(device).eval();
        var z0 = randn([16, 128], generator: new Generator(4713)).to(device);
        var labels = arange(16, dtype: ScalarType.Int64).remainder(7).to(device);
        Tensor? reference = null;
        for (var i = 0; i < repeats; i++)
        {
            using var passScope = NewDisposeScope();
            var z = z0.clone().requires_grad_(true);
            generator.call(z, labels).square().mean().backward();
            var gradient = z.grad!.cpu();
            if (!gradient.isfinite().all().item<bool>())
            {
                return false;
            }
            if (reference is null)
            {
                reference = gradient.clone().MoveToOuterDisposeScope();
            }
            else if (device.type == DeviceType.CPU ? !gradient.eq(reference).all().item<bool>() : !gradient.allclose(reference, rtol: 1e-3, atol: 1e-6))
            {
                return false;
            }
        }
        return true;
    }
}
