using System.Diagnostics;
using System.Text.Json;
using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Torch.Gan.Augment;
using Fergan.Torch.Gan.Losses;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using Fergan.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Training;

/// <summary>
/// Trains a class-conditional GAN on the Training split of a <see cref="FaceSet"/>: hinge loss, TTUR Adam,
/// DiffAugment on every image D sees, class-balanced real batches, an EMA copy of G for sampling, atomic
/// checkpoints every N steps, and resume from the newest checkpoint. Reports progress; never prints.
/// </summary>
public sealed class GanTrainer : IDisposable
{
    private const int SampleColumns = 8;

    private readonly GanOptions _options;
    private readonly GanRunDirectory _run;
    private readonly Device _device;
    private readonly ConditionalGenerator _generator;
    private readonly ConditionalGenerator _ema;
    private readonly ProjectionDiscriminator _discriminator;
    private readonly Classifier.EmotionClassifier? _guide;
    private readonly TorchSharp.Modules.OptimizerHelper _generatorOptimizer;
    private readonly TorchSharp.Modules.OptimizerHelper _discriminatorOptimizer;
    private readonly GanLossPair _loss;
    private readonly RealBatches _real;
    private readonly Tensor _fixedNoise;
    private readonly Tensor _fixedLabels;
    private readonly string _dataDescription;
    private readonly RunData _runData;

    public GanTrainer(GanOptions options, FaceSet data, string runFolder)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException("invalid GAN options: " + string.Join("; ", problems) + ".");
        }
        _options = options;
        _run = new GanRunDirectory(runFolder);
        _device = TorchRuntime.Device(options.Device);
        if (options.GuideFolder is { } guide) // first: a wrong folder fails before anything is built
        {
            _guide = Classifier.EmotionClassifier.Load(guide, options.Device);
            var reference = Classifier.EmotionClassifier.ReferenceFolder;
            if (Directory.Exists(reference) && Classifier.EmotionClassifier.HaveSameWeights(guide, reference))
            {
                _guide.Dispose();
                throw new FerganException($"the guide {guide} has the weights of the reference network of `gan evaluate` ({reference}); a generator trained to please the network that scores it would be judged by its own objective. Guide with another classifier.");
            }
            foreach (var p in _guide.Network.parameters())
            {
                p.requires_grad = false; // frozen: gradients flow through it to G's faces, never into it
            }
            _guide.Network.ChannelsLast = options.ChannelsLast;
        }
        _dataDescription = $"{data.Provenance.Source} (Training split, {data.IndicesOf(DataSplit.Training).Length} faces)";
        _runData = RunData.Of(data, DataSplit.Training);
        _real = new RealBatches(data, options, _device);

        manual_seed(options.Seed);
        // Build on the CPU, move, and only then create the optimisers (their state must live on the device).
        _generator = new ConditionalGenerator(options.Architecture);
        _ema = new ConditionalGenerator(options.Architecture);
        _discriminator = new ProjectionDiscriminator(options.Architecture, classifierHead: options.ClassifierWeight > 0);
        _generator.to(_device);
        _ema.to(_device);
        _discriminator.to(_device);
        _generator.ChannelsLast = _discriminator.ChannelsLast = options.ChannelsLast; // the EMA copy only draws grids
        ExponentialMovingAverage.CopyFrom(_ema, _generator);
        _ema.eval();
        _generatorOptimizer = optim.Adam(_generator.parameters(), options.GeneratorLearningRate, options.Beta1, options.Beta2);
        _discriminatorOptimizer = optim.Adam(_discriminator.parameters(), options.DiscriminatorLearningRate, options.Beta1, options.Beta2);
        _loss = GanLosses.For(options.Loss);

        // Fixed noise for the progress grids: the same faces, row per emotion, at every checkpoint.
        var noiseGenerator = new Generator((ulong)options.Seed + 1);
        _fixedNoise = randn([Emotions.Count * SampleColumns, options.Architecture.LatentSize], generator: noiseGenerator).to(_device);
        _fixedLabels = arange(Emotions.Count, dtype: ScalarType.Int64).repeat_interleave(SampleColumns).to(_device);
    }

    /// <summary>
    /// Runs from step 0, or from the newest checkpoint when <paramref name="resume"/> is set, to options.Steps.
    /// Cancellation stops after the current step and saves a checkpoint, so no finished step is lost.
    /// </summary>
    public GanRunResult Train(bool resume, string? command = null, IProgress<GanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!resume && (_run.Checkpoints().Count > 0 || File.Exists(_run.LogFile)))
        {
            // Starting afresh here would interleave two runs' logs and let pruning delete the new checkpoints.
            throw new FerganException($"{_run.Root} already holds a GAN run; resume it, or start in an empty folder.");
        }
        var resumed = resume ? Resume() : null;
        var start = resumed?.State.Step ?? 0;
        _run.WriteOptions(_options, command);
        _run.WriteData(_runData);
        var watch = Stopwatch.StartNew();
        var previousSeconds = resumed?.State.TrainingSeconds ?? 0;
        var imagesPerStep = (long)_options.BatchSize * _options.DiscriminatorSteps;
        var imagesAtStart = start * imagesPerStep;
        var step = start;
        var windowWatch = Stopwatch.StartNew();
        var windowImages = 0L;
        manual_seed(_options.Seed + start);
        if (resumed is { Folder: var checkpoint })
        {
            RestoreRandomState(checkpoint);
        }
        while (step < _options.Steps && !cancellationToken.IsCancellationRequested)
        {
            // Losses stay on the device and are read only when logged: reading one forces a host-device sync.
            using var scope = NewDisposeScope();
            var rateScale = SetLearningRates(step);
            var dStats = TrainDiscriminatorStep();
            for (var extra = 1; extra < _options.DiscriminatorSteps; extra++)
            {
                dStats = TrainDiscriminatorStep();
            }
            var gStats = TrainGeneratorStep();
            UpdateEma(step);
            step++;
            windowImages += imagesPerStep; // real images through D
            if (step % _options.LogEvery == 0 || step == _options.Steps)
            {
                var d = dStats.cpu().data<float>().ToArray(); // [loss, mean real score, mean fake score, classifier loss, accuracy]
                var gValues = gStats.cpu().data<float>().ToArray(); // [loss, guide accuracy]
                var g = gValues[0];
                if (!float.IsFinite(d[0]) || !float.IsFinite(g))
                {
                    // Stop before anything is saved: the last checkpoint holds the last good weights.
                    var last = _run.Checkpoints().LastOrDefault();
                    throw new FerganException($"GAN training diverged by step {step} (D loss {d[0]}, G loss {g}); the last good checkpoint " +
                        (last.Folder is null ? "does not exist yet" : $"is {last.Folder}") + ". Lower the learning rates and resume or start again.");
                }
                var rate = windowImages / Math.Max(1e-9, windowWatch.Elapsed.TotalSeconds);
                var entry = new GanProgress(step, _options.Steps, d[0], g, d[1], d[2], rate, previousSeconds + watch.Elapsed.TotalSeconds,
                    _discriminator.HasClassifier ? d[3] : null, _discriminator.HasClassifier ? d[4] : null, _guide is not null ? gValues[1] : null, rateScale);
                File.AppendAllText(_run.LogFile, JsonSerializer.Serialize(entry, RunDirectory.JsonLine) + "\n");
                progress?.Report(entry);
                windowWatch.Restart();
                windowImages = 0;
            }
            if (step % _options.CheckpointEvery == 0 || step == _options.Steps)
            {
                SaveCheckpoint(step, imagesAtStart + (step - start) * imagesPerStep, previousSeconds + watch.Elapsed.TotalSeconds, command);
            }
        }
        var seconds = previousSeconds + watch.Elapsed.TotalSeconds;
        if (step < _options.Steps && step > start && step % _options.CheckpointEvery != 0)
        {
            SaveCheckpoint(step, imagesAtStart + (step - start) * imagesPerStep, seconds, command); // cancelled: keep the work
        }
        var thisRunRate = (step - start) * (double)imagesPerStep / Math.Max(1e-9, watch.Elapsed.TotalSeconds);
        return new GanRunResult(step, _options.Steps, step >= _options.Steps, start, thisRunRate, seconds, _run.Root,
            _run.Checkpoints().Select(c => c.Folder).ToList());
    }

    /// <summary>
    /// One D update; returns [adversarial loss, mean real score, mean fake score, classifier loss, classifier accuracy]
    /// on the device (no sync); the last two are 0 without a classifier head.
    /// </summary>
    private Tensor TrainDiscriminatorStep()
    {
        using var scope = NewDisposeScope();
        var (real, realLabels) = _real.Next();
        var fakeLabels = randint(0, Emotions.Count, [_options.BatchSize], dtype: ScalarType.Int64, device: _device);
        Tensor fake;
        using (no_grad())
        {
            fake = _generator.call(Noise(), fakeLabels); // no graph through G in the D step
        }
        _discriminatorOptimizer.zero_grad();
        var (realScores, realClasses) = Judge(real, realLabels);
        var (fakeScores, _) = Judge(fake, fakeLabels);
        var adversarial = _loss.Discriminator(realScores, fakeScores);
        var classification = zeros(1, device: _device).squeeze();
        var accuracy = zeros(1, device: _device).squeeze();
        if (realClasses is not null)
        {
            // The head learns emotions from real faces only (a fake-class term would reward easy-to-classify fakes).
            classification = nn.functional.cross_entropy(realClasses, realLabels);
            accuracy = realClasses.detach().argmax(1).eq(realLabels).to_type(ScalarType.Float32).mean();
        }
        (adversarial + _options.ClassifierWeight * classification).backward();
        _discriminatorOptimizer.step();
        return stack([adversarial.detach(), realScores.detach().mean(), fakeScores.detach().mean(), classification.detach(), accuracy])
            .MoveToOuterDisposeScope();
    }

    /// <summary>One G update; returns [loss, guide accuracy (0 without a guide)] on the device (no sync).</summary>
    private Tensor TrainGeneratorStep()
    {
        using var scope = NewDisposeScope();
        SetRequiresGrad(_discriminator, false); // D's weights need no gradients in the G step
        try
        {
            _generatorOptimizer.zero_grad();
            var labels = randint(0, Emotions.Count, [_options.BatchSize], dtype: ScalarType.Int64, device: _device);
            var faces = _generator.call(Noise(), labels);
            var (scores, classes) = Judge(faces, labels);
            var loss = _loss.Generator(scores);
            if (classes is not null)
            {
                loss = loss + _options.ClassifierWeight * nn.functional.cross_entropy(classes, labels);
            }
            var guideAccuracy = zeros(1, device: _device).squeeze();
            if (_guide is not null)
            {
                // The guide sees the faces as the classifier was trained on them ([0, 1]), through the same random
                // augmentation as D, so G cannot satisfy it with pixel-exact adversarial patterns.
                var logits = _guide.Network.call(DiffAugment.Apply(faces, _options.Augment).add(1).div(2));
                loss = loss + _options.GuideWeight * nn.functional.cross_entropy(logits, labels);
                guideAccuracy = logits.detach().argmax(1).eq(labels).to_type(ScalarType.Float32).mean();
            }
            loss.backward();
            _generatorOptimizer.step();
            return stack([loss.detach(), guideAccuracy]).MoveToOuterDisposeScope();
        }
        finally
        {
            SetRequiresGrad(_discriminator, true);
        }
    }

    /// <summary>
    /// Both optimisers' learning rates for the update from <paramref name="step"/>, from the options' schedule: a
    /// function of the step alone, so a resumed run continues it exactly. Returns the factor on the base rates.
    /// </summary>
    private double SetLearningRates(int step)
    {
        var scale = _options.LearningRateScale(step);
        foreach (var group in _generatorOptimizer.ParamGroups)
        {
            group.LearningRate = _options.GeneratorLearningRate * scale;
        }
        foreach (var group in _discriminatorOptimizer.ParamGroups)
        {
            group.LearningRate = _options.DiscriminatorLearningRate * scale;
        }
        return scale;
    }

    /// <summary>The only path into D: real and fake images get the same differentiable augmentation.</summary>
    private (Tensor Score, Tensor? ClassLogits) Judge(Tensor images, Tensor labels) =>
        _discriminator.Judge(DiffAugment.Apply(images, _options.Augment), labels);

    private Tensor Noise() => randn([_options.BatchSize, _options.Architecture.LatentSize], device: _device);

    /// <summary>EMA with a warm-up, so early averages are not dominated by the random initial weights.</summary>
    private void UpdateEma(int step) => ExponentialMovingAverage.Update(_ema, _generator, _options.EmaDecayAt(step));

    private static void SetRequiresGrad(nn.Module module, bool value)
    {
        foreach (var p in module.parameters())
        {
            p.requires_grad = value;
        }
    }

    private void SaveCheckpoint(int step, long imagesSeen, double seconds, string? command)
    {
        var state = new GanTrainingState(step, _options.Seed, imagesSeen, seconds, DateTimeOffset.UtcNow);
        _run.WriteCheckpoint(step, folder =>
        {
            _generator.save(Path.Combine(folder, "generator.bin"));
            _discriminator.save(Path.Combine(folder, "discriminator.bin"));
            _ema.save(Path.Combine(folder, "generator-ema.bin"));
            _generatorOptimizer.save_state_dict(Path.Combine(folder, "optimizer-generator.bin"));
            _discriminatorOptimizer.save_state_dict(Path.Combine(folder, "optimizer-discriminator.bin"));
            if (_device.type == DeviceType.CPU)
            {
                using var random = torch.random.get_rng_state();
                File.WriteAllBytes(Path.Combine(folder, RandomStateFile), random.data<byte>().ToArray());
            }
            File.WriteAllText(Path.Combine(folder, "state.json"), JsonSerializer.Serialize(state, RunDirectory.Json)); // last: marks completeness
        }, _options.KeepCheckpoints);
        ExportModel(step, command);
        // Every checkpoint's EMA generator stays (a few MB each), so FID can be traced over the whole run.
        Directory.CreateDirectory(_run.GeneratorsFolder);
        RunDirectory.WriteAtomically(_run.GeneratorAt(step), temp => _ema.save(temp));
        WriteSampleGrid(step);
        OptionalPlot.TryDraw(() => LossCurvePlot.Save(_run.LogFile, _run.CurvesFile));
    }

    /// <summary>
    /// On the CPU every random draw of a step (real batch, noise, labels, augmentation) comes from libtorch's default
    /// CPU generator, whose state each checkpoint keeps, so a run resumed from any checkpoint, Ctrl+C's included,
    /// takes the very steps the uninterrupted run would have taken. TorchSharp 0.107 exposes no CUDA generator state,
    /// so a resumed CUDA run (and one from a checkpoint written before this file existed) draws from the seed plus the
    /// step instead: an equally valid run, not a bit-identical continuation.
    /// </summary>
    private void RestoreRandomState(string checkpoint)
    {
        var file = Path.Combine(checkpoint, RandomStateFile);
        if (_device.type == DeviceType.CPU && File.Exists(file))
        {
            using var state = torch.tensor(File.ReadAllBytes(file));
            torch.random.set_rng_state(state);
        }
    }

    private const string RandomStateFile = "random-state.bin";

    /// <summary>The EMA generator of this checkpoint, as the run's model (generator.json + generator.bin).</summary>
    private void ExportModel(int step, string? command)
    {
        RunDirectory.WriteAtomically(Path.Combine(_run.Root, GeneratorCard.WeightsFile), temp => _ema.save(temp));
        new GeneratorCard
        {
            Architecture = _options.Architecture,
            Classes = Emotions.Names,
            Step = step,
            Seed = _options.Seed,
            Data = _dataDescription,
            Command = command,
            Options = _options,
        }.Write(_run.Root);
    }

    private void WriteSampleGrid(int step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var faces = GanGenerator.ToBytes(_ema.call(_fixedNoise, _fixedLabels));
        var rows = Emotions.All.Select(e => (e.Name(), (IReadOnlyList<byte[]>)faces.Skip((int)e * SampleColumns).Take(SampleColumns).ToList())).ToList();
        Directory.CreateDirectory(_run.SamplesFolder);
        RunDirectory.WriteAtomically(_run.SampleGrid(step), temp => File.WriteAllBytes(temp, FaceGrid.RenderPng(rows, scale: 2, columns: SampleColumns)));
    }

    /// <summary>Loads the newest complete checkpoint; returns its state and folder (null when there is none yet).</summary>
    private (GanTrainingState State, string Folder)? Resume()
    {
        _run.CheckKind();
        _run.RemoveTemporaryFolders();
        var checkpoints = _run.Checkpoints();
        if (checkpoints.Count == 0)
        {
            // Killed before its first checkpoint: nothing to resume, and the lines it logged belong to no weights
            // (left in, the log would hold those steps twice once the run logs them again).
            _run.TruncateLog<GanProgress>(p => p.Step, 0);
            return null;
        }
        _run.CheckSameData(_runData);
        CheckSameRecipe();
        var (step, folder) = checkpoints[^1];
        try
        {
            // In place: the optimisers hold the parameters (Module.load would replace them on a GPU).
            StoredWeights.LoadInPlace(_generator, Path.Combine(folder, "generator.bin"));
            StoredWeights.LoadInPlace(_discriminator, Path.Combine(folder, "discriminator.bin"));
            StoredWeights.LoadInPlace(_ema, Path.Combine(folder, "generator-ema.bin"));
            _generatorOptimizer.load_state_dict(Path.Combine(folder, "optimizer-generator.bin"));
            _discriminatorOptimizer.load_state_dict(Path.Combine(folder, "optimizer-discriminator.bin"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FerganException($"checkpoint {folder} cannot be loaded: {e.Message.TrimEnd('.')}. Delete that folder to resume from the one before it.");
        }
        var state = RunDirectory.ReadState<GanTrainingState>(folder);
        _run.TruncateLog<GanProgress>(p => p.Step, step);
        return (state, folder);
    }

    /// <summary>
    /// A resumed run must keep what defines its objective: the networks, the loss, what D sees (augmentation, flips,
    /// class-balanced batches), the updates per step, the class signals (auxiliary head, guide) and the optimiser's
    /// betas and EMA schedule; a change there would silently mix two recipes in one generator. Length, learning rates and
    /// their decay, batch size, seed, device and memory layout may change (lower rates after a divergence; a longer run).
    /// </summary>
    private void CheckSameRecipe()
    {
        var saved = _run.ReadOptions<GanOptions>();
        if (saved is null)
        {
            return;
        }
        if (saved.Architecture != _options.Architecture)
        {
            throw new FerganException($"{_run.Root} holds a run of another architecture ({saved.Architecture}; asked for now: {_options.Architecture}); resume it with the same profile and width, or start a new --out folder.");
        }
        var changed = new (string Name, object Saved, object Now)[]
        {
            ("loss", saved.Loss, _options.Loss),
            ("augmentation", saved.Augment, _options.Augment),
            ("discriminator steps", saved.DiscriminatorSteps, _options.DiscriminatorSteps),
            ("classifier weight", saved.ClassifierWeight, _options.ClassifierWeight),
            ("guide", saved.GuideFolder ?? "none", _options.GuideFolder ?? "none"),
            ("guide weight", saved.GuideWeight, _options.GuideWeight),
            ("mirrored real faces", saved.FlipReal, _options.FlipReal),
            ("class-balanced batches", saved.ClassBalanced, _options.ClassBalanced),
            ("Adam betas", (saved.Beta1, saved.Beta2), (_options.Beta1, _options.Beta2)),
            ("EMA decay", saved.EmaDecay, _options.EmaDecay),
            ("EMA ramp-up", saved.EmaRampup, _options.EmaRampup),
        }.Where(c => !Equals(c.Saved, c.Now)).Select(c => $"{c.Name} {c.Saved} (now {c.Now})").ToList();
        if (changed.Count > 0)
        {
            throw new FerganException($"{_run.Root} holds a run made with another {string.Join(", ", changed)}; resume it with the same settings, or start a new --out folder.");
        }
    }

    public void Dispose()
    {
        _generator.Dispose();
        _ema.Dispose();
        _discriminator.Dispose();
        _guide?.Dispose();
        _real.Dispose();
        _fixedNoise.Dispose();
        _fixedLabels.Dispose();
    }
}
