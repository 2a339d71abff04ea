using Fergan.Data;
using Fergan.Data.Splitting;

namespace Fergan.Data.Tests;

public sealed class StratifiedSplitTests
{
    [Fact]
    public void Splits_every_class_80_10_10()
    {
        var faces = new StratifiedSplit().Apply(TestFaces.PerClass(20));

        var counts = faces.CountsBySplitAndClass();
        foreach (var e in Emotions.All)
        {
            Assert.Equal(16, counts[(int)DataSplit.Training, (int)e]);
            Assert.Equal(2, counts[(int)DataSplit.PublicTest, (int)e]);
            Assert.Equal(2, counts[(int)DataSplit.PrivateTest, (int)e]);
        }
        Assert.Equal("stratified 80/10/10 (Training/PublicTest/PrivateTest), seed 2013", faces.Provenance.SplitMethod);
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var faces = TestFaces.PerClass(20);

        var a = new StratifiedSplit(Seed: 1).Apply(faces).Splits;
        var b = new StratifiedSplit(Seed: 1).Apply(faces).Splits;
        var c = new StratifiedSplit(Seed: 2).Apply(faces).Splits;

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Impossible_fractions_are_rejected() =>
        Assert.Throws<FerganException>(() => new StratifiedSplit(Training: 0.9, Validation: 0.2).Apply(TestFaces.PerClass(2)));
}
