using Fergan.Data;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Training;

/// <summary>
/// Training batches for the classifier. The Training split is held once on the device as bytes; each epoch is one
/// pass over it in a seeded order (uniform shuffle, or class-balanced draws for oversampling); under the gan strategy
/// every batch also gets generator faces whose emotions fill what the real part of the batch lacks (or follow its
/// proportions, see <see cref="SyntheticClassMix"/>).
/// </summary>
internal sealed class TrainingBatches : IDisposable
{
    private readonly Tensor _images;          // [N, 1, 48, 48] uint8 on the device
    private readonly Tensor _labels;          // [N] int64 on the device
    private readonly Tensor? _softLabels;     // [N, 7] float32 on the device, when the set has them (FER+ vote shares)
    private readonly Tensor? _teacherTargets; // [N, 7] float32 on the device, from saved teacher predictions
    private readonly Tensor _sampleWeights;   // [N] float, for oversampling
    private readonly Tensor? _syntheticClassProbabilities; // [7]
    private readonly GanGenerator? _generator;
    private readonly ClassifierOptions _options;
    private readonly Device _device;

    /// <param name="teacherTargets">Saved teachers' softened predictions for <paramref name="indices"/> ([N, 7] on
    /// <paramref name="device"/>; the batches own it from here), or null.</param>
    public TrainingBatches(FaceSet data, IReadOnlyList<int> indices, ClassifierOptions options, Device device, GanGenerator? generator, Tensor? teacherTargets = null)
    {
        if (teacherTargets is not null && teacherTargets.shape[0] != indices.Count)
        {
            throw new ArgumentException($"teacher targets for {teacherTargets.shape[0]} faces, {indices.Count} Training faces", nameof(teacherTargets));
        }
        _teacherTargets = teacherTargets;
        _options = options;
        _device = device;
        _generator = generator;
        Count = indices.Count;
        ClassCounts = Emotions.All.Select(e => indices.Count(i => data.Label(i) == e)).ToArray();
        SyntheticPerBatch = generator is null ? 0 : (int)Math.Round(options.BatchSize * options.SyntheticRatio);
        RealPerBatch = options.BatchSize - SyntheticPerBatch;
        if (Count < options.BatchSize)
        {
            throw new FerganException($"the Training split has {Count} faces, fewer than one batch ({options.BatchSize}).");
        }
        using (var scope = NewDisposeScope())
        {
            _images = FaceTensors.Bytes(data, indices, device).MoveToOuterDisposeScope();
            var perFace = indices.Select(i => 1f / Math.Max(1, ClassCounts[(int)data.Label(i)])).ToArray();
            _sampleWeights = tensor(perFace, device: device).MoveToOuterDisposeScope();
            if (generator is not null)
            {
                // What the real part of a batch brings on average: Training's proportions, or equal shares when drawn balanced.
                var realCounts = RealDrawnBalanced ? Enumerable.Repeat(1, ClassCounts.Length).ToArray() : ClassCounts;
                var shares = SyntheticClassShares(realCounts, RealPerBatch, SyntheticPerBatch, options.SyntheticClasses);
                _syntheticClassProbabilities = tensor(shares, device: device).MoveToOuterDisposeScope();
            }
        }
        _labels = FaceTensors.Labels(data, indices, device);
        _softLabels = data.HasSoftLabels ? FaceTensors.SoftLabels(data, indices, device) : null;
    }

    public int Count { get; }
    public int[] ClassCounts { get; }
    public int RealPerBatch { get; }
    public int SyntheticPerBatch { get; }

    /// <summary>Whether an epoch draws the real faces with every emotion equally likely (with repeats) instead of a shuffle.</summary>
    public bool RealDrawnBalanced =>
        _options.Balance == BalanceStrategy.Oversample || (_options.Balance == BalanceStrategy.Gan && _options.OversampleReal);

    /// <summary>
    /// Steps per epoch: as many as whole batches of the real faces, whatever the strategy (the last, partial batch is
    /// dropped: batch norm needs more than one face).
    /// </summary>
    /// <remarks>
    /// Every strategy gets the same number of optimiser steps per epoch, so a comparison at a fixed number of epochs
    /// compares strategies, not amounts of training. With generated faces in each batch an epoch therefore shows
    /// RealPerBatch / BatchSize of the real faces (a fresh random selection every epoch). Counting an epoch as every
    /// real face once instead gave the gan strategy 1.43x the steps of `none` at a synthetic ratio of 0.3, a
    /// confound that matters most in short runs (results/ablation-cpu-2026-11-26 has one such run beside the grid).
    /// </remarks>
    public int BatchesPerEpoch => Count / _options.BatchSize;

    /// <summary>
    /// How the generator's share of a batch is split over emotions, given the real part's class counts: under
    /// <see cref="SyntheticClassMix.Fill"/>, each class up to an equal share of the whole batch (classes the real data
    /// already over-supplies get none); under <see cref="SyntheticClassMix.Proportional"/>, the real proportions.
    /// </summary>
    public static float[] SyntheticClassShares(int[] classCounts, int realPerBatch, int syntheticPerBatch, SyntheticClassMix mix = SyntheticClassMix.Fill)
    {
        var total = (double)classCounts.Sum();
        if (mix == SyntheticClassMix.Proportional)
        {
            return classCounts.Select(n => (float)(n / total)).ToArray();
        }
        var target = (realPerBatch + syntheticPerBatch) / (double)classCounts.Length;
        var deficit = classCounts.Select(n => Math.Max(0, target - realPerBatch * n / total)).ToArray();
        var sum = deficit.Sum();
        return deficit.Select(d => sum <= 0 ? 1f / classCounts.Length : (float)(d / sum)).ToArray();
    }

    /// <summary>The order of one epoch's faces, on the device (dispose after the epoch).</summary>
    public Tensor EpochOrder(Generator generator) =>
        RealDrawnBalanced
            ? multinomial(_sampleWeights.cpu(), Count, replacement: true, generator: generator).to(_device)
            : randperm(Count, generator: generator, dtype: ScalarType.Int64).to(_device);

    /// <summary>
    /// Batch <paramref name="k"/> of an epoch: faces in [0, 1], labels, and, when the set has soft labels, the
    /// targets [B, 7] to train on, and, with saved teacher predictions, the teachers' targets [B, 7] (generated faces
    /// get their requested emotion as a one-hot row in both: no label or teacher has seen them); augmentation not yet
    /// applied.
    /// </summary>
    public TrainingBatch Batch(Tensor order, int k)
    {
        var index = order.narrow(0, (long)k * RealPerBatch, RealPerBatch);
        var images = _images.index_select(0, index).to_type(ScalarType.Float32).div_(255f);
        var labels = _labels.index_select(0, index);
        var soft = _softLabels?.index_select(0, index);
        var teacher = _teacherTargets?.index_select(0, index);
        if (_generator is null || _syntheticClassProbabilities is null)
        {
            return new TrainingBatch(images, labels, soft, teacher);
        }
        var syntheticLabels = multinomial(_syntheticClassProbabilities, SyntheticPerBatch, replacement: true).to(_device);
        var synthetic = _generator.Sample(syntheticLabels, _options.GanTruncation).add_(1).div_(2).clamp_(0, 1);
        var oneHot = soft is null && teacher is null ? null : nn.functional.one_hot(syntheticLabels, Emotions.Count).to_type(ScalarType.Float32);
        return new TrainingBatch(cat([images, synthetic.to(_device)], 0), cat([labels, syntheticLabels], 0),
            soft is null ? null : cat([soft, oneHot!], 0), teacher is null ? null : cat([teacher, oneHot!], 0));
    }

    /// <summary>
    /// Class weights for the weights strategy: the square root of the inverse frequency, sqrt(n / (k * n_c)). Why not
    /// the inverse frequency itself: on FER2013 its weights reach 9.4 (disgust) and training collapsed (H200 grid:
    /// PrivateTest 0.159; CPU quick profile, 3 epochs: PublicTest 0.145), while square-root weights (at most 3.1)
    /// train like `none` and trade a little accuracy for macro-F1 (0.413 and 0.317 against 0.434 and 0.306;
    /// results/weights-cpu-2026-11-26).
    /// </summary>
    public Tensor ClassWeights()
    {
        var k = ClassCounts.Length;
        return tensor(ClassCounts.Select(c => (float)Math.Sqrt(Count / (k * (double)Math.Max(1, c)))).ToArray(), device: _device);
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
        _softLabels?.Dispose();
        _teacherTargets?.Dispose();
        _sampleWeights.Dispose();
        _syntheticClassProbabilities?.Dispose();
    }
}

/// <summary>One training batch before augmentation: faces in [0, 1] [B, 1, 48, 48], labels [B], and the optional
/// soft-label targets and saved teachers' targets, [B, 7] each.</summary>
internal sealed record TrainingBatch(Tensor Images, Tensor Labels, Tensor? SoftTargets, Tensor? TeacherTargets);
