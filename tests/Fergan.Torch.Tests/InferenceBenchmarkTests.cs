using Fergan.Data;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Evaluation;

namespace Fergan.Torch.Tests;

/// <summary>The inference benchmark's bookkeeping, with predictors whose calls and answers are known.</summary>
public sealed class InferenceBenchmarkTests
{
    /// <summary>Answers each face with its first pixel's share of 255 (plus an offset), and records every call.</summary>
    private sealed class RecordingPredictor(float offset) : IEmotionPredictor
    {
        public List<(int Faces, int BatchSize, bool Tta)> Calls { get; } = [];
        public string Folder => "recording";

        public float[][] Predict(FaceSet faces, IReadOnlyList<int> indices, bool tta = false, int batchSize = 256)
        {
            Calls.Add((indices.Count, batchSize, tta));
            return indices.Select(i => Enumerable.Repeat(faces.Pixels(i)[0] / 255f + offset, Emotions.Count).ToArray()).ToArray();
        }

        public void Dispose() { }
    }

    private static FaceSet Faces(int count)
    {
        var pixels = new byte[count * FaceImage.PixelCount];
        for (var i = 0; i < count; i++)
        {
            pixels[i * FaceImage.PixelCount] = (byte)(10 * i);
        }
        return new FaceSet(pixels, new Emotion[count], Enumerable.Repeat(DataSplit.PrivateTest, count).ToArray(), Enumerable.Range(0, count).ToArray(),
            new bool[count], null, new DatasetProvenance { Source = "first-pixel", Format = "test" });
    }

    [Fact]
    public void Every_runtime_gets_a_warm_up_and_the_requested_windows_at_each_batch_size()
    {
        var first = new RecordingPredictor(0);
        var second = new RecordingPredictor(0.25f);

        var timings = InferenceBenchmark.Run([("a", first), ("b", second)], Faces(5),
            new InferenceBenchmarkOptions { BatchSizes = [1, 4], Faces = 12, Repeats = 3, TestTimeAugmentation = true });

        // Per batch size: one warm-up call of one batch, then three windows of all 12 faces (the 5 faces repeated).
        var expected = new List<(int, int, bool)> { (1, 1, true), (4, 4, true) };
        expected.AddRange(Enumerable.Repeat(new[] { (12, 1, true), (12, 4, true) }, 3).SelectMany(w => w));
        Assert.Equal(expected, first.Calls);
        Assert.Equal(expected, second.Calls);

        Assert.Equal(["a/1", "b/1", "a/4", "b/4"], timings.Select(t => $"{t.Runtime}/{t.BatchSize}"));
        foreach (var t in timings)
        {
            Assert.Equal(12, t.Faces);
            Assert.Equal(3, t.Windows.Count);
            Assert.All(t.Windows, w => Assert.True(w > 0 && double.IsFinite(w)));
            Assert.Equal(t.Windows.Order().ElementAt(1), t.ImagesPerSecond);
        }
        // The first runtime is the reference; the second answers 0.25 higher everywhere.
        Assert.All(timings.Where(t => t.Runtime == "a"), t => Assert.Equal(0, t.MaxProbabilityDifference));
        Assert.All(timings.Where(t => t.Runtime == "b"), t => Assert.Equal(0.25, t.MaxProbabilityDifference, 6));
    }

    [Fact]
    public void Bad_options_are_refused_with_every_reason()
    {
        var error = Assert.Throws<FerganException>(() => InferenceBenchmark.Run([("a", new RecordingPredictor(0))], Faces(2),
            new InferenceBenchmarkOptions { BatchSizes = [0], Faces = 0, Repeats = 0 }));

        Assert.Contains("batch sizes must be at least 1", error.Message);
        Assert.Contains("faces per window must be at least 1", error.Message);
        Assert.Contains("repeats must be at least 1", error.Message);
        Assert.Throws<FerganException>(() => InferenceBenchmark.Run([], Faces(2), new InferenceBenchmarkOptions()));
    }
}
