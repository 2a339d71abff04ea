using Fergan.Data;
using Fergan.Data.Synthetic;

namespace Fergan.Data.Tests;

public sealed class SyntheticFaceDatasetTests
{
    [Fact]
    public void The_same_seed_draws_the_same_faces_and_another_seed_other_faces()
    {
        var a = new SyntheticFaceDataset(50, seed: 1).Read(new IngestReport()).ToList();
        var b = new SyntheticFaceDataset(50, seed: 1).Read(new IngestReport()).ToList();
        var c = new SyntheticFaceDataset(50, seed: 2).Read(new IngestReport()).ToList();

        Assert.All(a.Zip(b), p => Assert.Equal(p.First.Pixels, p.Second.Pixels));
        Assert.NotEqual(a[0].Pixels, c[0].Pixels);
    }

    [Fact]
    public void Class_counts_follow_fer2013s_imbalance_and_add_up()
    {
        var counts = new SyntheticFaceDataset(3589).ClassCounts();

        Assert.Equal(3589, counts.Sum());
        Assert.Equal(counts.Max(), counts[(int)Emotion.Happy]);
        Assert.Equal(counts.Min(), counts[(int)Emotion.Disgust]);
        Assert.InRange((double)counts[(int)Emotion.Happy] / counts[(int)Emotion.Disgust], 15, 18);
    }

    [Fact]
    public void Balanced_sets_have_equal_classes_and_every_split()
    {
        var records = new SyntheticFaceDataset(70, balanced: true).Read(new IngestReport()).ToList();

        Assert.All(records.GroupBy(r => r.Label), g => Assert.Equal(10, g.Count()));
        Assert.Equal(56, records.Count(r => r.Split == DataSplit.Training));
        Assert.Equal(7, records.Count(r => r.Split == DataSplit.PublicTest));
    }

    [Fact]
    public void Every_face_has_contrast()
    {
        var records = new SyntheticFaceDataset(70, balanced: true).Read(new IngestReport()).ToList();

        Assert.All(records, r => Assert.True(r.Pixels.Max() - r.Pixels.Min() > 40, "a face needs contrast"));
    }

    [Theory]
    [InlineData("synthetic", 3589, 2013, false)]
    [InlineData("synthetic:200", 200, 2013, false)]
    [InlineData("synthetic:200:5", 200, 5, false)]
    [InlineData("SYNTHETIC:70:1:balanced", 70, 1, true)]
    public void Parses_specs(string spec, int count, int seed, bool balanced)
    {
        Assert.True(SyntheticFaceDataset.TryParseSpec(spec, out var d));
        Assert.Equal((count, seed, balanced), (d!.Count, d.Seed, d.Balanced));
    }

    [Theory]
    [InlineData("synthetic:x")]
    [InlineData("synthetic:1:2:3")]
    [InlineData("synthetic:3")]
    public void Rejects_bad_specs(string spec) =>
        Assert.Throws<FerganException>(() => SyntheticFaceDataset.TryParseSpec(spec, out _));

    [Fact]
    public void Other_names_are_not_specs() => Assert.False(SyntheticFaceDataset.TryParseSpec("fer2013.csv", out _));
}
