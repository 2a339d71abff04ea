using System.Diagnostics;
using System.Text.Json;
using Fergan.Data;
using Fergan.Data.Balancing;
using Fergan.Data.Duplicates;
using Fergan.Data.Evaluation;
using Fergan.Torch.Classifier.Evaluation;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using Fergan.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Training;

/// <summary>
/// Trains an emotion classifier on the Training split and selects it on the validation split (PublicTest, or the
/// validation part of a stratified split), never on PrivateTest. SGD with Nesterov momentum, warm-up then cosine
/// learning rate per step, label smoothing, on-device augmentation, one of the balancing strategies, optionally
/// distillation from trained teachers, a start from trained weights and stochastic weight averaging after the main
/// schedule, early stopping, an atomic checkpoint after every epoch and resume from the newest. Reports progress;
/// never prints.
/// </summary>
public sealed class ClassifierTrainer : IDisposable
{
    private readonly ClassifierOptions _options;
    private readonly ClassifierRunDirectory _run;
    private readonly Device _device;
    private readonly EmotionNet _model;
    private readonly FlatSgd _optimizer;
    private readonly TrainingBatches _batches;
    private readonly GanGenerator? _generator;
    private readonly DistillationTeachers? _teachers;
    private readonly TeacherPredictionsRecord? _savedTeacher;
    private readonly Tensor? _classWeights;
    private readonly WeightAverage _average = new();
    private readonly Tensor _validationImages; // [M, 1, 48, 48] uint8 on the device
    private readonly int[] _validationLabels;
    private readonly string _dataDescription;
    private readonly RunData _runData;

    public ClassifierTrainer(ClassifierOptions options, FaceSet data, string runFolder)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException("invalid classifier options: " + string.Join("; ", problems) + ".");
        }
        _options = options;
        _run = new ClassifierRunDirectory(runFolder);
        _device = TorchRuntime.Device(options.Device);

        var validation = data.IndicesOf(DataSplit.PublicTest);
        if (validation.Length == 0)
        {
            throw new FerganException("the dataset has no validation faces (PublicTest); model selection needs them. Load it with --split-mode auto (a stratified tenth of Training becomes PublicTest where the source has train and test splits only) or stratified (a new 80/10/10 split).");
        }
        _runData = RunData.Of(data, DataSplit.Training, DataSplit.PublicTest);
        var training = TrainingIndices(data, options);
        var copies = 0;
        if (options.SelectWithoutTrainingCopies)
        {
            var kept = TrainingOverlap.Without(data, validation, TrainingDuplicates.Near);
            copies = validation.Length - kept.Length;
            validation = kept.Length > 0 ? kept
                : throw new FerganException($"every PublicTest face ({copies}) is a copy of a Training face: nothing is left to select on.");
        }
        _dataDescription = $"{data.Provenance.Source} (Training {training.Count} faces, selected on PublicTest {validation.Length}" +
                           (options.SelectWithoutTrainingCopies ? $", without its {copies} exact or near copies of Training faces)" : ")") +
                           (data.HasSoftLabels ? $"; trained on soft labels ({data.Provenance.LabelSource})" : "") +
                           (options.Teachers.Count > 0 ? $"; distilled from {options.Teachers.Count} teacher(s)" : "") +
                           (options.TeacherProbabilities is { } saved ? $"; distilled from saved teacher probabilities {saved}" : "") +
                           (options.InitialWeights is { } initial ? $"; fine-tuned from {initial} (weights SHA-256 {EmotionClassifier.WeightsSha256(initial)[..12]})" : "");
        // First among the models: a wrong teacher folder or file fails before anything is built.
        var savedTeacher = options.TeacherProbabilities is { } file ? TeacherPredictions.Load(file, data, training) : null;
        _savedTeacher = savedTeacher?.Record;
        _teachers = options.Teachers.Count > 0 ? new DistillationTeachers(options.Teachers, options.Device, options.Precision, options.ChannelsLast) : null;

        manual_seed(options.Seed);
        _model = options.Architecture.Create();
        if (options.InitialWeights is { } start)
        {
            LoadInitialWeights(start);
        }
        _model.to(_device);
        _model.ChannelsLast = options.ChannelsLast;
        // After the move: the optimiser makes the parameters views of its flat buffer on their device.
        _optimizer = new FlatSgd(_model.parameters(), options.LearningRate, options.Momentum, options.WeightDecay, nesterov: options.Momentum > 0);
        if (options.Balance == BalanceStrategy.Gan)
        {
            _generator = GanGenerator.Load(options.GanFolder!, options.Device);
        }
        _batches = new TrainingBatches(data, training, options, _device, _generator, savedTeacher?.Targets(options.DistillTemperature, _device));
        _classWeights = options.Balance == BalanceStrategy.Weights ? _batches.ClassWeights() : null;
        _validationImages = FaceTensors.Bytes(data, validation, _device);
        _validationLabels = validation.Select(i => (int)data.Label(i)).ToArray();
    }

    /// <summary>The weights of a trained classifier of the same architecture, checked as `evaluate` checks a model folder.</summary>
    private void LoadInitialWeights(string folder)
    {
        using var start = EmotionClassifier.Load(folder);
        if (start.Card.Architecture != _options.Architecture)
        {
            throw new FerganException($"{folder} holds a {start.Card.Architecture} classifier; this run trains a {_options.Architecture}. " +
                                      "Start from a model of the same architecture, or give its --arch and --width.");
        }
        _model.load_state_dict(start.Network.state_dict());
    }

    /// <summary>Training faces after the strategy's data-side change (the cap strategy drops faces; the others keep all).</summary>
    private static IReadOnlyList<int> TrainingIndices(FaceSet data, ClassifierOptions options)
    {
        var training = data.IndicesOf(DataSplit.Training);
        if (training.Length == 0)
        {
            throw new FerganException("the dataset has no Training faces.");
        }
        if (options.Balance != BalanceStrategy.Cap)
        {
            return training;
        }
        var counts = Emotions.All.Select(e => training.Count(i => data.Label(i) == e)).Order().ToArray();
        var cap = options.CapPerClass ?? counts[counts.Length / 2];
        // The same seeded trimming as `fergan data balance --strategy cap`.
        return new CapBalance(cap, options.Seed).KeptIndices(data).Where(i => data.Split(i) == DataSplit.Training).ToList();
    }

    /// <summary>
    /// Trains from epoch 0, or from the newest checkpoint when <paramref name="resume"/> is set, to options.Epochs plus
    /// the averaging epochs, or to early stopping. Cancellation stops after the current batch; the last full epoch's
    /// checkpoint is kept. A run from initial weights starts selection with their PublicTest score (epoch 0); a run
    /// that averages scores the average once its last epoch is done, and keeps it if PublicTest prefers it.
    /// </summary>
    public ClassifierRunResult Train(bool resume, string? command = null, IProgress<ClassifierEpoch>? epochs = null,
        IProgress<ClassifierStep>? steps = null, CancellationToken cancellationToken = default)
    {
        if (!resume && (_run.Checkpoints().Count > 0 || File.Exists(_run.LogFile)))
        {
            throw new FerganException($"{_run.Root} already holds a training run; resume it, or start in an empty folder.");
        }
        var state = resume ? Resume() : null;
        _run.WriteOptions(_options, command);
        _run.WriteData(_runData);
        var epoch = state?.Epoch ?? 0;
        var best = state is not null && (state.BestEpoch > 0 || _options.InitialWeights is not null) ? ReadSelection() : null;
        if (state is null && _options.InitialWeights is not null)
        {
            var (startLoss, start) = Validate();
            best = new SelectionScores("PublicTest", 0, start.Accuracy, start.MacroF1, startLoss);
            ExportModel(best, command);
        }
        var sinceBest = state?.EpochsWithoutImprovement ?? 0;
        var previousSeconds = state?.TrainingSeconds ?? 0;
        var watch = Stopwatch.StartNew();
        // A run that had already stopped early stays stopped when resumed.
        var stoppedEarly = _options.EarlyStoppingPatience > 0 && sinceBest >= _options.EarlyStoppingPatience;
        double imagesThisRun = 0;
        var batchesPerEpoch = _batches.BatchesPerEpoch;
        while (!stoppedEarly && epoch < _options.TotalEpochs && !cancellationToken.IsCancellationRequested)
        {
            var epochWatch = Stopwatch.StartNew();
            var (trainLoss, trainAccuracy, finished) = TrainEpoch(epoch, batchesPerEpoch, steps, cancellationToken);
            if (!finished)
            {
                break; // cancelled mid-epoch: the previous checkpoint stands
            }
            if (!double.IsFinite(trainLoss))
            {
                // Nothing of this epoch is saved: the last checkpoint and the selected model stay as they were.
                throw new FerganException($"training diverged in epoch {epoch + 1} (training loss {trainLoss}); the last good checkpoint " +
                    (epoch > 0 ? $"is epoch {epoch} in {_run.CheckpointsFolder}" : "does not exist yet") +
                    $". Lower the learning rate (it was {_options.LearningRate}) and resume or start again.");
            }
            var images = (double)batchesPerEpoch * _options.BatchSize;
            imagesThisRun += images;
            var rate = images / Math.Max(1e-9, epochWatch.Elapsed.TotalSeconds);
            epoch++;
            if (epoch > _options.Epochs)
            {
                _average.Add(_optimizer.Values); // an averaging epoch: its weights join the mean before anything reads them
            }
            var (validationLoss, validation) = Validate();
            var improved = best is null || validation.Accuracy > best.Accuracy;
            sinceBest = improved ? 0 : sinceBest + 1;
            if (improved)
            {
                best = new SelectionScores("PublicTest", epoch, validation.Accuracy, validation.MacroF1, validationLoss);
                ExportModel(best, command);
            }
            var entry = new ClassifierEpoch(epoch, _options.TotalEpochs, trainLoss, trainAccuracy, validationLoss, validation.Accuracy,
                validation.MacroF1, LearningRate(epoch * batchesPerEpoch, batchesPerEpoch), rate,
                previousSeconds + watch.Elapsed.TotalSeconds, improved);
            File.AppendAllText(_run.LogFile, JsonSerializer.Serialize(entry, RunDirectory.JsonLine) + "\n");
            SaveCheckpoint(epoch, best!, sinceBest, previousSeconds + watch.Elapsed.TotalSeconds);
            OptionalPlot.TryDraw(() => TrainingCurvesPlot.Save(_run.LogFile, _run.CurvesFile));
            epochs?.Report(entry);
            if (_options.EarlyStoppingPatience > 0 && sinceBest >= _options.EarlyStoppingPatience)
            {
                stoppedEarly = true;
                break;
            }
        }
        WeightAverageScores? average = null;
        if (epoch >= _options.TotalEpochs && _average.Count > 0)
        {
            (average, best) = ScoreAverage(epoch, best!, command);
        }
        return new ClassifierRunResult(epoch, _options.TotalEpochs, epoch >= _options.TotalEpochs || stoppedEarly, stoppedEarly, state?.Epoch ?? 0, best,
            imagesThisRun / Math.Max(1e-9, watch.Elapsed.TotalSeconds), previousSeconds + watch.Elapsed.TotalSeconds, _run.Root, average);
    }

    /// <summary>
    /// The network takes the mean of the averaging epochs' weights, its batch-norm statistics are measured again on
    /// an epoch of training batches, and it is scored on PublicTest; it becomes the run's model if it beats the selected one
    /// there. Written to weight-average.json either way. The network keeps the mean afterwards (the last checkpoint
    /// holds the weights to resume from).
    /// </summary>
    private (WeightAverageScores Average, SelectionScores Best) ScoreAverage(int epoch, SelectionScores best, string? command)
    {
        _average.CopyTo(_optimizer.Values);
        _model.Precision = ComputePrecision.Fp32;
        WeightAverage.RecomputeBatchNorm(_model, StatisticsBatches(epoch));
        var (loss, metrics) = Validate();
        var first = epoch - _average.Count + 1;
        var scores = new SelectionScores(best.Split, epoch, metrics.Accuracy, metrics.MacroF1, loss, AveragedFromEpoch: first);
        // A finished run resumed again finds its average already selected: it stays so, without a second export.
        var alreadySelected = best.AveragedFromEpoch == first && best.Epoch == epoch;
        var selected = alreadySelected || metrics.Accuracy > best.Accuracy;
        if (selected && !alreadySelected)
        {
            ExportModel(scores, command);
        }
        var average = new WeightAverageScores(first, epoch, scores, selected);
        RunDirectory.WriteAtomically(_run.WeightAverageFile, temp => File.WriteAllText(temp, JsonSerializer.Serialize(average, RunDirectory.Json)));
        return (average, selected ? scores : best);
    }

    private (double Loss, double Accuracy, bool Finished) TrainEpoch(int epoch, int batches, IProgress<ClassifierStep>? steps, CancellationToken cancellationToken)
    {
        _model.train();
        _model.Precision = _options.Precision;
        using var order = SeededEpochOrder(epoch);
        // Running sums stay on the device: reading them per batch would sync host and device every step.
        using var lossSum = zeros(1, device: _device);
        using var correct = zeros(1, dtype: ScalarType.Int64, device: _device);
        long seen = 0;
        for (var k = 0; k < batches; k++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return (double.NaN, double.NaN, false);
            }
            using var scope = NewDisposeScope();
            SetLearningRate(LearningRate(epoch * batches + k, batches));
            var (images, labels, softTargets, savedTeacherTargets) = _batches.Batch(order, k);
            var augmented = BatchAugmentation.Apply(images, _options.Augment);
            var logits = _model.call(augmented);
            // Soft labels (FER+ vote shares), when the set has them, are the targets; the hard labels still count accuracy.
            var loss = nn.functional.cross_entropy(logits, softTargets ?? labels, weight: _classWeights, label_smoothing: _options.LabelSmoothing);
            if ((savedTeacherTargets ?? _teachers?.SoftTargets(augmented, _options.DistillTemperature)) is { } targets)
            {
                loss = loss.mul(1 - _options.DistillWeight)
                    .add(DistillationTeachers.Loss(logits, targets, _options.DistillTemperature).mul(_options.DistillWeight));
            }
            _optimizer.ZeroGrad();
            loss.backward();
            _optimizer.Step();
            using (no_grad())
            {
                lossSum.add_(loss.detach().mul(labels.shape[0]));
                correct.add_(logits.argmax(1).eq(labels).sum());
            }
            seen += labels.shape[0];
            if (steps is not null && (k % 20 == 0 || k == batches - 1))
            {
                steps.Report(new ClassifierStep(epoch + 1, _options.Epochs, k + 1, batches));
            }
        }
        return (lossSum.item<float>() / seen, correct.item<long>() / (double)seen, true);
    }

    /// <summary>
    /// The face order of epoch <paramref name="epoch"/>, with libtorch's global generator seeded for its augmentation
    /// and generated faces: both come from (seed, epoch), so a resumed run replays the same batches.
    /// </summary>
    private Tensor SeededEpochOrder(int epoch)
    {
        var generator = new Generator((ulong)(_options.Seed * 1000L + epoch));
        manual_seed(_options.Seed * 1000L + epoch);
        return _batches.EpochOrder(generator);
    }

    /// <summary>
    /// One more epoch's batches made as training makes them (its order, generated faces, augmentation), from a seed of
    /// their own so a resumed run measures the same: the batches the averaged network's batch-norm statistics are
    /// measured on.
    /// </summary>
    private IEnumerable<Tensor> StatisticsBatches(int epoch)
    {
        using var order = SeededEpochOrder(epoch);
        for (var k = 0; k < _batches.BatchesPerEpoch; k++)
        {
            Tensor augmented;
            using (NewDisposeScope())
            {
                var images = _batches.Batch(order, k).Images;
                augmented = BatchAugmentation.Apply(images, _options.Augment).MoveToOuterDisposeScope();
            }
            yield return augmented;
        }
    }

    /// <summary>Validation loss (plain cross-entropy) and metrics of the current weights, in float32 whatever the training precision.</summary>
    private (double Loss, ClassificationMetrics Metrics) Validate() => ValidationScores.Of(_model, _validationImages, _validationLabels);

    /// <summary>
    /// Linear warm-up, then cosine decay to zero at the last step of the main schedule. With averaging epochs the
    /// decay ends at their constant rate instead, which they then keep (as PyTorch's SWALR anneals to its rate): a
    /// drop to zero and a jump back would first settle the weights and then shake them out of where they settled.
    /// </summary>
    private double LearningRate(long step, int batchesPerEpoch)
    {
        var floor = _options.SwaEpochs > 0 ? _options.ResolvedSwaLearningRate : 0;
        if (step >= (long)_options.Epochs * batchesPerEpoch)
        {
            return floor;
        }
        var warmup = _options.WarmupEpochs * batchesPerEpoch;
        var total = (double)_options.Epochs * batchesPerEpoch;
        if (step < warmup)
        {
            return _options.LearningRate * (step + 1) / warmup;
        }
        var progress = Math.Clamp((step - warmup) / Math.Max(1, total - warmup), 0, 1);
        return floor + (_options.LearningRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    private void SetLearningRate(double rate) => _optimizer.LearningRate = rate;

    private void SaveCheckpoint(int epoch, SelectionScores best, int sinceBest, double seconds)
    {
        var state = new ClassifierTrainingState(epoch, _options.Seed, best.Epoch, best.Accuracy, sinceBest, seconds, DateTimeOffset.UtcNow, _average.Count);
        _run.WriteCheckpoint(epoch, folder =>
        {
            _model.save(Path.Combine(folder, "model.bin"));
            _optimizer.Save(Path.Combine(folder, "optimizer.bin"));
            _average.Save(folder);
            File.WriteAllText(Path.Combine(folder, "state.json"), JsonSerializer.Serialize(state, RunDirectory.Json)); // last: marks completeness
        }, _options.KeepCheckpoints);
    }

    /// <summary>The current weights become the run's model (classifier.bin + classifier.json).</summary>
    private void ExportModel(SelectionScores selection, string? command)
    {
        RunDirectory.WriteAtomically(Path.Combine(_run.Root, ClassifierCard.WeightsFile), temp => _model.save(temp));
        new ClassifierCard
        {
            Architecture = _options.Architecture,
            Classes = Emotions.Names,
            Data = _dataDescription,
            Balance = _options.Balance,
            Seed = _options.Seed,
            Command = command,
            Selection = selection,
            Options = _options,
            Teachers = _teachers?.Records,
            TeacherProbabilities = _savedTeacher,
        }.Write(_run.Root);
    }

    private SelectionScores? ReadSelection() =>
        File.Exists(Path.Combine(_run.Root, ClassifierCard.CardFile)) ? ClassifierCard.Read(_run.Root).Selection : null;

    private ClassifierTrainingState? Resume()
    {
        _run.CheckKind();
        _run.RemoveTemporaryFolders();
        var checkpoints = _run.Checkpoints();
        if (checkpoints.Count == 0)
        {
            // Killed before its first checkpoint: nothing to resume, and the lines it logged belong to no weights
            // (left in, the log would hold those steps twice once the run logs them again).
            _run.TruncateLog<ClassifierEpoch>(e => e.Epoch, 0);
            return null;
        }
        _run.CheckSameData(_runData);
        CheckSameRecipe();
        CheckSameTeacherWeights();
        var (epoch, folder) = checkpoints[^1];
        try
        {
            StoredWeights.LoadInPlace(_model, Path.Combine(folder, "model.bin")); // the optimiser holds the parameters
            _optimizer.Load(Path.Combine(folder, "optimizer.bin"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FerganException($"checkpoint {folder} cannot be loaded: {e.Message.TrimEnd('.')}. Delete that folder to resume from the one before it.");
        }
        var state = RunDirectory.ReadState<ClassifierTrainingState>(folder);
        _average.Load(folder, state.AveragedEpochs, _optimizer.Values);
        _run.TruncateLog<ClassifierEpoch>(e => e.Epoch, epoch);
        return state;
    }

    /// <summary>
    /// A resumed run must keep the network and how its batches are made (strategy and its settings, augmentation); a change there
    /// would silently mix two recipes in one model. Length, learning rate, device, precision and memory layout may
    /// change (a run started in bf16 on a GPU can finish in fp32 on a CPU).
    /// </summary>
    private void CheckSameRecipe()
    {
        var saved = _run.ReadOptions<ClassifierOptions>();
        if (saved is null)
        {
            return;
        }
        var changed = new (string Name, bool Differs)[]
        {
            ("architecture", saved.Architecture != _options.Architecture),
            ("balance", saved.Balance != _options.Balance),
            ("cap", saved.CapPerClass != _options.CapPerClass),
            ("synthetic ratio", saved.SyntheticRatio != _options.SyntheticRatio),
            ("synthetic classes", saved.SyntheticClasses != _options.SyntheticClasses),
            ("oversample real", saved.OversampleReal != _options.OversampleReal),
            ("augmentation", saved.Augment != _options.Augment),
            ("set of teachers", !saved.Teachers.SequenceEqual(_options.Teachers)),
            ("teacher probabilities file", saved.TeacherProbabilities != _options.TeacherProbabilities),
            ("distillation weight", saved.DistillWeight != _options.DistillWeight),
            ("distillation temperature", saved.DistillTemperature != _options.DistillTemperature),
            ("initial weights", saved.InitialWeights != _options.InitialWeights),
        }.Where(c => c.Differs).Select(c => c.Name).ToList();
        if (changed.Count > 0)
        {
            throw new FerganException($"{_run.Root} holds a run ({saved.Architecture}, balance {saved.Balance.ToString().ToLowerInvariant()}) made with another " +
                                      $"{string.Join(", ", changed)}; resume it with the same settings, or start a new --out folder.");
        }
    }

    /// <summary>
    /// The teachers' folders may hold other weights by now (retrained in place), or the saved predictions' file other
    /// predictions: a resumed student would then learn from two teachers under one name. The card written at the last
    /// selected epoch pins the weights (or the file) it learnt from.
    /// </summary>
    private void CheckSameTeacherWeights()
    {
        if (!File.Exists(Path.Combine(_run.Root, ClassifierCard.CardFile)))
        {
            return;
        }
        var card = ClassifierCard.Read(_run.Root);
        if (_savedTeacher is not null && card.TeacherProbabilities is { } file && file.Sha256 != _savedTeacher.Sha256)
        {
            throw new FerganException($"{_run.Root} was distilled from other predictions than {_savedTeacher.File} holds now; " +
                                      "resume with the same file, or start a new --out folder.");
        }
        if (_teachers is null || card.Teachers is not { } pinned)
        {
            return;
        }
        var changed = pinned.Zip(_teachers.Records).Where(p => p.First.WeightsSha256 != p.Second.WeightsSha256).Select(p => p.Second.Folder).ToList();
        if (changed.Count > 0)
        {
            throw new FerganException($"{_run.Root} was distilled from other weights than {string.Join(" and ", changed)} holds now; " +
                                      "resume with the same teachers, or start a new --out folder.");
        }
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _average.Dispose();
        _model.Dispose();
        _batches.Dispose();
        _generator?.Dispose();
        _teachers?.Dispose();
        _classWeights?.Dispose();
        _validationImages.Dispose();
    }
}
