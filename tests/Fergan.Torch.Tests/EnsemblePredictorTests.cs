using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Torch.Classifier;

namespace Fergan.Torch.Tests;

public sealed class EnsemblePredictorTests
{
    private static readonly FaceSet Faces = DatasetLoader.Load("synthetic:70:1:balanced", new DatasetOptions { UseCache = false }).Faces;

    /// <summary>A member that gives every face the same probabilities and records how it was asked.</summary>
    private sealed class Fixed(string folder, params float[] probabilities) : IEmotionPredictor
    {
        public bool Disposed { get; private set; }
        public bool? AskedForTta { get; private set; }
        public string Folder => folder;

        public float[][] Predict(FaceSet faces, IReadOnlyList<int> indices, bool tta = false, int batchSize = 256)
        {
            AskedForTta = tta;
            return indices.Select(_ => probabilities.ToArray()).ToArray();
        }

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void The_ensemble_averages_its_members_probabilities_passes_tta_on_and_disposes_them()
    {
        var a = new Fixed("a", 0.8f, 0.2f, 0, 0, 0, 0, 0);
        var b = new Fixed("b", 0.2f, 0.2f, 0.6f, 0, 0, 0, 0);
        var indices = new[] { 0, 1, 2 };

        float[][] mean;
        using (var ensemble = new EnsemblePredictor([a, b]))
        {
            mean = ensemble.Predict(Faces, indices, tta: true);
            Assert.Equal("a + b", ensemble.Folder);
        }

        Assert.Equal(3, mean.Length);
        Assert.All(mean, row => Assert.Equal([0.5f, 0.2f, 0.3f, 0, 0, 0, 0], row.Select(x => MathF.Round(x, 5))));
        Assert.True(a.AskedForTta == true && b.AskedForTta == true);
        Assert.True(a.Disposed && b.Disposed);
    }

    [Fact]
    public void Members_with_different_classes_or_a_single_member_are_refused()
    {
        using var mismatched = new EnsemblePredictor([new Fixed("seven", 1, 0, 0, 0, 0, 0, 0), new Fixed("three", 1, 0, 0)]);
        var e = Assert.Throws<FerganException>(() => mismatched.Predict(Faces, [0]));
        Assert.Contains("three predicts 3 classes", e.Message);
        Assert.Throws<ArgumentException>(() => new EnsemblePredictor([new Fixed("one", 1, 0, 0, 0, 0, 0, 0)]));
    }
}
