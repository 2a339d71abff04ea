using System.Diagnostics;
using Fergan.Data;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Runtime;
using Fergan.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Training;

/// <summary>What <see cref="TrainingStepBenchmark"/> measures: one network, batch and optimiser.</summary>
public sealed record StepBenchmarkOptions
{
    public ClassifierArchitecture Architecture { get; init; } = new(ClassifierKind.Vgg, 16);
    public int BatchSize { get; init; } = 64;

    /// <summary>Steps in one timed window.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Timed windows; the median is reported.</summary>
    public int Repeats { get; init; } = 3;

    /// <summary>Untimed steps first (cuDNN algorithm search, allocator growth, oneDNN primitive creation).</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>The trainer's on-device augmentation in the trainer step (off measures the data path alone).</summary>
    public bool Augment { get; init; } = true;

    public string Device { get; init; } = "cpu";
    public int Seed { get; init; } = 1;

    /// <summary>Number format of both steps (see <see cref="ClassifierOptions.Precision"/>).</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>Both steps in the channels-last memory layout (see <see cref="ClassifierOptions.ChannelsLast"/>).</summary>
    public bool ChannelsLast { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new OptionProblems(Architecture.Validate());
        errors.Check(BatchSize >= 2, $"batch size must be at least 2 (got {BatchSize})");
        errors.Check(Steps >= 1 && Repeats >= 1 && Warmup >= 0, "steps and repeats must be at least 1, warm-up at least 0");
        return errors;
    }
}

/// <summary>Images/s of the two steps; each is the median of the timed windows (all windows kept too).</summary>
public sealed record StepBenchmarkResult(
    string Architecture, long Parameters, int BatchSize, string Device, ComputePrecision Precision, bool ChannelsLast, int Steps, int Repeats,
    double LibtorchImagesPerSecond, IReadOnlyList<double> LibtorchWindows,
    double TrainerImagesPerSecond, IReadOnlyList<double> TrainerWindows)
{
    /// <summary>The trainer's share of what libtorch gives for the same network (1 = no framework overhead).</summary>
    public double TrainerShare => TrainerImagesPerSecond / LibtorchImagesPerSecond;
}

/// <summary>
/// Training-step throughput of the classifier pipeline against libtorch alone, same network, batch and optimiser
/// (SGD, Nesterov momentum, weight decay, cross-entropy):
/// - libtorch: one fixed batch already on the device; zero_grad, forward, loss, backward, step: the ceiling, and the
///   loop that `bench/gpu/torch_speed.py` runs in Python PyTorch, so the two compare one to one;
/// - trainer: the trainer's step: a batch gathered from the device-resident split, on-device augmentation, a
///   per-step learning rate, label-smoothed loss, the same optimiser.
/// Timed windows alternate between the two; on CUDA every window is bracketed by a synchronisation, so queued kernels
/// are counted.
/// </summary>
public static class TrainingStepBenchmark
{
    public static StepBenchmarkResult Run(StepBenchmarkOptions options, FaceSet faces, CancellationToken cancellationToken = default)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException("invalid benchmark options: " + string.Join("; ", problems) + ".");
        }
        var training = faces.IndicesOf(DataSplit.Training);
        if (training.Length < options.BatchSize)
        {
            throw new FerganException($"the benchmark needs at least one batch of Training faces ({options.BatchSize}); the dataset has {training.Length}.");
        }
        var device = TorchRuntime.Device(options.Device);
        var classifierOptions = new ClassifierOptions
        {
            Architecture = options.Architecture,
            BatchSize = options.BatchSize,
            Device = options.Device,
            Augment = options.Augment ? new ClassifierAugment() : ClassifierAugment.Off,
            Precision = options.Precision,
            ChannelsLast = options.ChannelsLast,
        };

        manual_seed(options.Seed);
        using var model = options.Architecture.Create();
        model.to(device).train();
        model.Precision = options.Precision;
        model.ChannelsLast = options.ChannelsLast;
        var parameters = model.parameters().Sum(p => p.numel());
        using var optimizer = new FlatSgd(model.parameters(), classifierOptions.LearningRate, classifierOptions.Momentum, classifierOptions.WeightDecay, nesterov: true);
        using var batches = new TrainingBatches(faces, training, classifierOptions, device, generator: null);
        using var fixedImages = rand([options.BatchSize, 1, FaceImage.Size, FaceImage.Size], device: device);
        using var fixedLabels = randint(0, Emotions.Count, [options.BatchSize], dtype: ScalarType.Int64, device: device);
        using var order = batches.EpochOrder(new Generator((ulong)options.Seed));

        void LibTorchStep(int _)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            nn.functional.cross_entropy(model.call(fixedImages), fixedLabels).backward();
            optimizer.Step();
        }

        void TrainerStep(int k)
        {
            using var scope = NewDisposeScope();
            optimizer.LearningRate = classifierOptions.LearningRate * (0.5 + 0.5 * Math.Cos(k * 0.01)); // per-step schedule, as in training
            var (images, labels, _, _) = batches.Batch(order, k % batches.BatchesPerEpoch);
            var logits = model.call(BatchAugmentation.Apply(images, classifierOptions.Augment));
            var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: classifierOptions.LabelSmoothing);
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
        }

        double Window(Action<int> step)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Synchronize(device);
            var watch = Stopwatch.StartNew();
            for (var k = 0; k < options.Steps; k++)
            {
                step(k);
            }
            Synchronize(device);
            return options.Steps * options.BatchSize / watch.Elapsed.TotalSeconds;
        }

        for (var k = 0; k < options.Warmup; k++)
        {
            LibTorchStep(k);
            TrainerStep(k);
        }
        // Windows alternate between the two steps, so a drift in the machine's speed (a shared VM's neighbours, clock
        // changes) falls on both alike instead of on whichever was timed second.
        var libtorch = new List<double>();
        var trainer = new List<double>();
        for (var r = 0; r < options.Repeats; r++)
        {
            libtorch.Add(Window(LibTorchStep));
            trainer.Add(Window(TrainerStep));
        }
        return new StepBenchmarkResult(options.Architecture.ToString(), parameters, options.BatchSize, options.Device, options.Precision, options.ChannelsLast,
            options.Steps, options.Repeats,
            Medians.Of(libtorch), libtorch, Medians.Of(trainer), trainer);
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            cuda.synchronize();
        }
    }
}
