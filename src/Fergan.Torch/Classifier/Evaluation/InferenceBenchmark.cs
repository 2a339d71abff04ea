using System.Diagnostics;
using Fergan.Data;
using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Evaluation;

/// <summary>What <see cref="InferenceBenchmark"/> measures: which batch sizes, how many faces a window, how often.</summary>
public sealed record InferenceBenchmarkOptions
{
    /// <summary>Faces per predictor call. 1 is a photo with one face; 64 a crowd or a test split.</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [1, 16, 64];

    /// <summary>Faces classified in one timed window (the dataset's first faces, repeated if it has fewer).</summary>
    public int Faces { get; init; } = 256;

    /// <summary>Timed windows per runtime and batch size; the median is reported.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>Ten-crop test-time augmentation (ten views a face).</summary>
    public bool TestTimeAugmentation { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new OptionProblems([]);
        errors.Check(BatchSizes.Count > 0 && BatchSizes.All(b => b >= 1), "batch sizes must be at least 1");
        errors.Check(Faces >= 1, $"faces per window must be at least 1 (got {Faces})");
        errors.Check(Repeats >= 1, $"repeats must be at least 1 (got {Repeats})");
        return errors;
    }
}

/// <summary>
/// One runtime at one batch size: the median images/s of its windows (all windows kept), and how far its
/// probabilities stray from the first runtime's on the same faces (0 for the first runtime itself).
/// </summary>
public sealed record InferenceTiming(
    string Runtime, int BatchSize, int Faces, double ImagesPerSecond, IReadOnlyList<double> Windows, double MaxProbabilityDifference);

/// <summary>
/// Inference throughput of one classifier under several runtimes (TorchSharp, its ONNX export on ONNX Runtime), on
/// the same faces, batch sizes and threads. Each (runtime, batch size) pair gets one untimed warm-up call, then the
/// timed windows alternate between runtimes, so a drift in a shared machine's speed falls on all of them alike. A
/// window is the whole predictor call as a user makes it: faces in as bytes, probabilities out as arrays.
/// </summary>
public static class InferenceBenchmark
{
    public static IReadOnlyList<InferenceTiming> Run(
        IReadOnlyList<(string Runtime, IEmotionPredictor Predictor)> runtimes, FaceSet faces, InferenceBenchmarkOptions options,
        CancellationToken cancellationToken = default)
    {
        var problems = options.Validate();
        if (runtimes.Count == 0)
        {
            problems = [.. problems, "at least one runtime is needed"];
        }
        if (faces.Count == 0)
        {
            problems = [.. problems, "the dataset has no faces"];
        }
        if (problems.Count > 0)
        {
            throw new FerganException("invalid inference benchmark options: " + string.Join("; ", problems) + ".");
        }
        var indices = Enumerable.Range(0, options.Faces).Select(i => i % faces.Count).ToArray();
        var windows = new Dictionary<(int Runtime, int Batch), List<double>>();
        var outputs = new Dictionary<(int Runtime, int Batch), float[][]>();
        foreach (var batch in options.BatchSizes)
        {
            for (var r = 0; r < runtimes.Count; r++)
            {
                runtimes[r].Predictor.Predict(faces, indices.Take(batch).ToArray(), options.TestTimeAugmentation, batch);
                windows[(r, batch)] = [];
            }
        }
        for (var repeat = 0; repeat < options.Repeats; repeat++)
        {
            foreach (var batch in options.BatchSizes)
            {
                for (var r = 0; r < runtimes.Count; r++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var watch = Stopwatch.StartNew();
                    var probabilities = runtimes[r].Predictor.Predict(faces, indices, options.TestTimeAugmentation, batch);
                    windows[(r, batch)].Add(indices.Length / watch.Elapsed.TotalSeconds);
                    outputs[(r, batch)] = probabilities;
                }
            }
        }
        return options.BatchSizes
            .SelectMany(batch => runtimes.Select((runtime, r) => new InferenceTiming(
                runtime.Runtime, batch, indices.Length, Medians.Of(windows[(r, batch)]), windows[(r, batch)],
                MaxDifference(outputs[(0, batch)], outputs[(r, batch)]))))
            .ToList();
    }

    private static double MaxDifference(float[][] expected, float[][] actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new FerganException($"a runtime returned {actual.Length} rows for {expected.Length} faces.");
        }
        var max = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            for (var c = 0; c < expected[i].Length; c++)
            {
                max = Math.Max(max, Math.Abs(expected[i][c] - actual[i][c]));
            }
        }
        return max;
    }
}
