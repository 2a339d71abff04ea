using Fergan.Data;
using Fergan.Data.Balancing;
using Fergan.Data.Splitting;

namespace Fergan.Data.Tests;

public sealed class CapBalanceTests
{
    private static FaceSet Imbalanced()
    {
        var faces = new List<(Emotion, DataSplit, byte)>();
        foreach (var e in Emotions.All)
        {
            var n = e == Emotion.Disgust ? 3 : 12;
            faces.AddRange(Enumerable.Range(0, n).Select(k => (e, DataSplit.Training, (byte)((int)e * 20 + k))));
        }
        faces.Add((Emotion.Happy, DataSplit.PrivateTest, 250));
        return TestFaces.Build([.. faces]);
    }

    [Fact]
    public void Caps_each_class_of_the_target_split_and_leaves_other_splits_alone()
    {
        var result = new CapBalance(MaxPerClass: 5, Seed: 7).Apply(Imbalanced());

        Assert.Equal([12, 3, 12, 12, 12, 12, 12], result.Before);
        Assert.Equal([5, 3, 5, 5, 5, 5, 5], result.After);
        Assert.Equal(6 * 7, result.Removed);
        Assert.Single(result.Faces.IndicesOf(DataSplit.PrivateTest));
        Assert.Equal("cap Training at 5 faces per class, seed 7", Assert.Single(result.Faces.Provenance.Operations));
    }

    [Fact]
    public void The_choice_is_reproducible_from_the_seed()
    {
        var faces = Imbalanced();

        var a = new CapBalance(5, Seed: 7).Apply(faces).Faces;
        var b = new CapBalance(5, Seed: 7).Apply(faces).Faces;
        var c = new CapBalance(5, Seed: 8).Apply(faces).Faces;

        Assert.True(a.AllPixels.SequenceEqual(b.AllPixels));
        Assert.False(a.AllPixels.SequenceEqual(c.AllPixels));
    }

    [Fact]
    public void A_cap_below_one_is_rejected() =>
        Assert.Throws<FerganException>(() => new CapBalance(0).Apply(Imbalanced()));
}
