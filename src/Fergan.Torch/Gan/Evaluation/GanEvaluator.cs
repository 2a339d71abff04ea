using Fergan.Data;
using Fergan.Data.Duplicates;
using Fergan.Data.Imaging;
using Fergan.Torch.Classifier;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Evaluation;

/// <summary>How many faces to draw and compare.</summary>
public sealed record GanEvaluationOptions
{
    /// <summary>Generated faces per emotion for the per-class scores and label fidelity.</summary>
    public int SamplesPerClass { get; init; } = 1000;

    /// <summary>Generated faces for the overall scores, with emotions in the Training split's proportions.</summary>
    public int OverallSamples { get; init; } = 7000;

    /// <summary>Faces per set for precision/recall (k-NN manifolds cost O(n^2)).</summary>
    public int PrecisionRecallSamples { get; init; } = 5000;

    /// <summary>Compare with at most this many Training faces (a seeded random subset; null: all). For quick CPU runs.</summary>
    public int? MaxRealFaces { get; init; }

    public double Truncation { get; init; } = double.PositiveInfinity;
    public int Seed { get; init; } = 2013;

    /// <summary>Write a PNG of generated faces next to their nearest Training faces (reference-feature space) here.</summary>
    public string? NearestNeighbourGrid { get; init; }

    /// <summary>
    /// Generated faces per emotion checked for being near copies of Training faces (pixels; 0: skip). At most
    /// <see cref="SamplesPerClass"/>; the first of each emotion's faces.
    /// </summary>
    public int CopySamplesPerClass { get; init; } = 100;
}

/// <summary>
/// How many generated faces are near copies of a Training face: the same picture by the measure `fergan data
/// duplicates` applies to FER2013's test splits (pixels correlating at least <see cref="MinCorrelation"/> after a
/// shift of up to 3 px, mirror images included). For scale: 17-18 % of FER2013's real test faces are.
/// </summary>
public sealed record GanCopyScores(int Faces, int NearCopies, double Rate, double MinCorrelation, double HighestCorrelation);

/// <summary>Scores of one emotion's generated faces.</summary>
public sealed record GanClassScores(double Fid, MeanStd Kid, double LabelFidelity, int RealFaces);

/// <summary>`fergan gan evaluate --json` prints this. Real faces are the Training split (never PrivateTest).</summary>
public sealed record GanEvaluationReport(
    string Model,
    int Step,
    string Reference,
    string RealFaces,
    int SamplesPerClass,
    double Fid,
    MeanStd Kid,
    MeanStd InceptionScore,
    double LabelFidelity,
    double Precision,
    double Recall,
    IReadOnlyDictionary<string, GanClassScores> PerClass,
    CasReport? ClassificationAccuracyScore = null)
{
    /// <summary>Generated faces that copy a Training face (null when not measured).</summary>
    public GanCopyScores? Copies { get; init; }

    /// <summary>
    /// Length of the reference network's feature vectors. An emotion with fewer real (or generated) faces than this
    /// has a rank-deficient covariance, and its FID is biased upward (the bias grows with features / faces): compare
    /// such FIDs only at equal counts, or read KID, which is unbiased.
    /// </summary>
    public int FeatureDimension { get; init; }

    /// <summary>
    /// The scores as a generator card's flat `metrics` (the names bench/bundle-generator.sh writes, which the web app's
    /// GAN page and the balancing commands read): overall, CAS and copies where measured, and per emotion.
    /// </summary>
    public Dictionary<string, double> CardMetrics()
    {
        var metrics = new Dictionary<string, double>
        {
            [GeneratorMetricNames.Fid] = Fid,
            [GeneratorMetricNames.Kid] = Kid.Mean,
            [GeneratorMetricNames.InceptionScore] = InceptionScore.Mean,
            [GeneratorMetricNames.LabelFidelity] = LabelFidelity,
            [GeneratorMetricNames.Precision] = Precision,
            [GeneratorMetricNames.Recall] = Recall,
            [GeneratorMetricNames.SamplesPerClass] = SamplesPerClass,
        };
        if (ClassificationAccuracyScore is { } cas)
        {
            metrics[GeneratorMetricNames.ClassificationAccuracyScore] = cas.Accuracy;
            metrics[GeneratorMetricNames.CasMacroF1] = cas.MacroF1;
            metrics[GeneratorMetricNames.CasSyntheticFaces] = cas.SyntheticFaces;
            if (cas.RealDataAccuracy is { } real)
            {
                metrics[GeneratorMetricNames.CasRealDataAccuracy] = real;
            }
        }
        if (Copies is { } copies)
        {
            metrics[GeneratorMetricNames.NearCopies] = copies.NearCopies;
            metrics[GeneratorMetricNames.NearCopyFaces] = copies.Faces;
        }
        foreach (var (name, scores) in PerClass)
        {
            metrics[GeneratorMetricNames.LabelFidelityOf(name)] = scores.LabelFidelity;
            metrics[GeneratorMetricNames.FidOf(name)] = scores.Fid;
        }
        return metrics;
    }
}

/// <summary>
/// Measures a generator in the feature space of a fixed reference classifier (models/reference): FID and KID overall
/// and per emotion against the Training faces, an Inception-style score and label fidelity from the reference
/// network's predictions, improved precision/recall, and a nearest-neighbour grid against copying. One evaluator
/// serves any number of generators (a run's checkpoints): the Training faces' reference features are computed on the
/// first <see cref="Evaluate"/> and kept until the evaluator is disposed.
/// </summary>
public sealed class GanEvaluator(EmotionClassifier reference, FaceSet data, GanEvaluationOptions options) : IDisposable
{
    private readonly int[] _training = RealSubset(data.IndicesOf(DataSplit.Training), options);
    private Tensor? _realFeatures; // [N, D] on the CPU, outside every dispose scope: this evaluator owns it
    private bool _disposed;

    /// <summary>
    /// Scores <paramref name="generator"/> with the evaluator's options, or with <paramref name="overrides"/> for this
    /// call (checkpoints scored more cheaply than the final generator, say). The real faces are the evaluator's: an
    /// override that would change them (<see cref="GanEvaluationOptions.MaxRealFaces"/>, or the
    /// <see cref="GanEvaluationOptions.Seed"/> that draws their subset) needs another evaluator.
    /// </summary>
    public GanEvaluationReport Evaluate(GanGenerator generator, int? step = null, GanEvaluationOptions? overrides = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var call = overrides ?? options; // this call's settings
        if (call.MaxRealFaces != options.MaxRealFaces || call.Seed != options.Seed)
        {
            throw new ArgumentException("the overrides change the real faces (MaxRealFaces or Seed) this evaluator compares with: use another evaluator.", nameof(overrides));
        }
        if (_training.Length == 0)
        {
            throw new FerganException("the dataset has no Training faces to compare generated faces with.");
        }
        using var scope = NewDisposeScope();
        var real = RealFeatures();
        var realLabels = _training.Select(i => (int)data.Label(i)).ToArray();
        var perClass = new Dictionary<string, GanClassScores>();
        var fidelitySum = 0.0;
        using var noise = new Generator((ulong)call.Seed);
        var nearest = new List<(string, IReadOnlyList<byte[]>)>();
        var copyCandidates = new List<byte[]>();
        foreach (var emotion in Emotions.All)
        {
            using var inner = NewDisposeScope();
            var labels = full([call.SamplesPerClass], (long)emotion, ScalarType.Int64);
            var (features, probabilities, faces) = Describe(generator, labels, noise, call.Truncation);
            var fidelity = probabilities.argmax(1).eq((long)emotion).to_type(ScalarType.Float64).mean().item<double>();
            fidelitySum += fidelity;
            var classRows = Enumerable.Range(0, realLabels.Length).Where(k => realLabels[k] == (int)emotion).Select(k => (long)k).ToArray();
            var classReal = real.index_select(0, tensor(classRows));
            perClass[emotion.Name()] = new GanClassScores(
                DistributionMetrics.FrechetDistance(classReal, features),
                DistributionMetrics.KernelDistance(classReal, features, subsetSize: 1000, seed: call.Seed),
                fidelity, classRows.Length);
            if (call.NearestNeighbourGrid is not null)
            {
                nearest.Add((emotion.Name(), NearestPairs(faces.narrow(0, 0, 5), features.narrow(0, 0, 5), real)));
            }
            var copySamples = Math.Min(call.CopySamplesPerClass, call.SamplesPerClass);
            if (copySamples > 0)
            {
                copyCandidates.AddRange(GanGenerator.ToBytes(faces.narrow(0, 0, copySamples).mul(2).sub(1)));
            }
        }

        // Overall: emotions drawn in the Training split's proportions, so the generated mix matches the real one.
        var proportions = tensor(Emotions.All.Select(e => (float)realLabels.Count(l => l == (int)e)).ToArray());
        var overallLabels = multinomial(proportions, call.OverallSamples, replacement: true, generator: noise);
        var (overall, overallProbabilities, _) = Describe(generator, overallLabels, noise, call.Truncation);
        var prCount = Math.Min(call.PrecisionRecallSamples, (int)Math.Min(real.shape[0], overall.shape[0]));
        var realSubset = real.index_select(0, randperm(real.shape[0], generator: noise).narrow(0, 0, prCount));
        var (precision, recall) = DistributionMetrics.PrecisionRecall(realSubset, overall.narrow(0, 0, prCount));
        if (call.NearestNeighbourGrid is { } gridPath)
        {
            File.WriteAllBytes(gridPath, FaceGrid.RenderPng(nearest, scale: 2, columns: 10));
        }
        return new GanEvaluationReport(
            generator.Folder, step ?? generator.Card.Step, reference.Folder, $"{data.Provenance.Source} Training ({_training.Length} faces)", call.SamplesPerClass,
            DistributionMetrics.FrechetDistance(real, overall),
            DistributionMetrics.KernelDistance(real, overall, seed: call.Seed),
            DistributionMetrics.InceptionScore(overallProbabilities),
            fidelitySum / Emotions.Count, precision, recall, perClass)
        {
            Copies = copyCandidates.Count > 0 ? Copies(copyCandidates) : null,
            FeatureDimension = reference.Network.FeatureSize,
        };
    }

    public void Dispose()
    {
        _realFeatures?.Dispose();
        _realFeatures = null;
        _disposed = true;
    }

    /// <summary>How many of <paramref name="generated"/> are near copies of a Training face (all of them, not the subset).</summary>
    private GanCopyScores Copies(IReadOnlyList<byte[]> generated)
    {
        var near = new NearDuplicateOptions();
        var nearest = NearDuplicateSearch.NearestInTraining(data, generated, near);
        var copies = nearest.Count(m => m.Training >= 0 && m.Correlation >= near.MinCorrelation);
        return new GanCopyScores(generated.Count, copies, (double)copies / generated.Count, near.MinCorrelation,
            nearest.Where(m => m.Training >= 0).Select(m => m.Correlation).DefaultIfEmpty(0).Max());
    }

    private static int[] RealSubset(int[] training, GanEvaluationOptions options)
    {
        if (options.MaxRealFaces is not { } max || max >= training.Length)
        {
            return training;
        }
        var shuffled = training.ToArray();
        new Random(options.Seed).Shuffle(shuffled);
        return shuffled.Take(max).Order().ToArray();
    }

    private Tensor RealFeatures()
    {
        if (_realFeatures is null)
        {
            using var scope = NewDisposeScope();
            var rows = new List<Tensor>();
            const int Chunk = 512;
            for (var start = 0; start < _training.Length; start += Chunk)
            {
                var chunk = _training.Skip(start).Take(Chunk).ToList();
                rows.Add(reference.Features(FaceTensors.Images(data, chunk)).cpu());
            }
            // Detached, not moved out: moved to the caller's scope it would be freed with the first Evaluate, and a
            // second one would find an empty handle.
            _realFeatures = cat(rows, 0).DetachFromDisposeScope();
        }
        return _realFeatures;
    }

    /// <summary>Reference features and probabilities of generated faces for the given labels (and the faces in [0, 1], on the CPU).</summary>
    private (Tensor Features, Tensor Probabilities, Tensor Faces) Describe(GanGenerator generator, Tensor labels, Generator noise, double truncation)
    {
        var features = new List<Tensor>();
        var probabilities = new List<Tensor>();
        var faces = new List<Tensor>();
        const int Chunk = 500;
        for (long start = 0; start < labels.shape[0]; start += Chunk)
        {
            var part = labels.narrow(0, start, Math.Min(Chunk, labels.shape[0] - start));
            var images = generator.Sample(part, truncation, noise).add(1).div(2).clamp(0, 1);
            var f = reference.Features(images);
            features.Add(f.cpu());
            using (no_grad())
            {
                probabilities.Add(nn.functional.softmax(reference.Network.Classify(f), 1).cpu());
            }
            faces.Add(images.cpu());
        }
        return (cat(features, 0), cat(probabilities, 0), cat(faces, 0));
    }

    /// <summary>Each generated face followed by its nearest Training face in reference-feature space.</summary>
    private List<byte[]> NearestPairs(Tensor faces, Tensor features, Tensor real)
    {
        var nearest = cdist(features.to_type(ScalarType.Float32), real).argmin(1).data<long>().ToArray();
        var generated = GanGenerator.ToBytes(faces.mul(2).sub(1));
        var pairs = new List<byte[]>();
        for (var k = 0; k < nearest.Length; k++)
        {
            pairs.Add(generated[k]);
            pairs.Add(data.Pixels(_training[nearest[k]]).ToArray());
        }
        return pairs;
    }
}
