using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Tests;

namespace Fergan.Data.Tests;

public sealed class DatasetLoaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private DatasetOptions Cached => new() { CacheDirectory = _temp.File("cache") };

    [Fact]
    public void The_second_load_comes_from_the_binary_cache_with_identical_content()
    {
        var csv = _temp.Write("fer.csv", CsvFixture.Valid());

        var first = DatasetLoader.Load(csv, Cached);
        var second = DatasetLoader.Load(csv, Cached);

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.CachePath, second.CachePath);
        Assert.True(first.Faces.AllPixels.SequenceEqual(second.Faces.AllPixels));
        Assert.Equal(first.Faces.Labels, second.Faces.Labels);
        Assert.Equal(first.Faces.Provenance.Source, second.Faces.Provenance.Source);
    }

    [Fact]
    public void Changing_the_source_file_invalidates_the_cache()
    {
        var csv = _temp.Write("fer.csv", CsvFixture.Valid());
        DatasetLoader.Load(csv, Cached);

        File.WriteAllText(csv, CsvFixture.Lines(CsvFixture.Header, CsvFixture.Row(2, "Training")));
        File.SetLastWriteTimeUtc(csv, DateTime.UtcNow.AddMinutes(1));
        var reloaded = DatasetLoader.Load(csv, Cached);

        Assert.False(reloaded.FromCache);
        Assert.Equal([Emotion.Fear], reloaded.Faces.Labels);
    }

    [Fact]
    public void A_damaged_cache_is_rebuilt_not_trusted()
    {
        var csv = _temp.Write("fer.csv", CsvFixture.Valid());
        var cache = DatasetLoader.Load(csv, Cached).CachePath!;
        File.WriteAllBytes(cache, File.ReadAllBytes(cache)[..^10]);

        var reloaded = DatasetLoader.Load(csv, Cached);

        Assert.False(reloaded.FromCache);
        Assert.Contains("rebuilt", reloaded.CacheNote);
        Assert.Equal(3, reloaded.Faces.Count);
        Assert.True(DatasetLoader.Load(csv, Cached).FromCache);
    }

    [Fact]
    public void Skip_bad_and_strict_loads_do_not_share_a_cache_entry()
    {
        var csv = _temp.Write("fer.csv", CsvFixture.Lines(CsvFixture.Header, CsvFixture.Row(0, "Training"), CsvFixture.Row(9, "Training")));

        Assert.Single(DatasetLoader.Load(csv, Cached with { SkipBad = true }).Faces.Labels);
        Assert.Throws<DataFormatException>(() => DatasetLoader.Load(csv, Cached));
    }

    [Fact]
    public void A_csv_without_usage_gets_a_stratified_split_and_source_mode_refuses_it()
    {
        var rows = Enumerable.Range(0, 20).Select(i => $"{i % 2},{CsvFixture.Pixels(i)}").Prepend("emotion,pixels").ToArray();
        var csv = _temp.Write("nosplit.csv", CsvFixture.Lines(rows));

        var auto = DatasetLoader.Load(csv, Cached).Faces;

        Assert.StartsWith("stratified", auto.Provenance.SplitMethod);
        Assert.Equal(16, auto.IndicesOf(DataSplit.Training).Length);
        Assert.Contains("has no split", Assert.Throws<FerganException>(() => DatasetLoader.Load(csv, Cached with { Split = SplitMode.Source })).Message);
    }

    [Fact]
    public void Stratified_mode_resplits_a_dataset_that_has_splits()
    {
        var faces = DatasetLoader.Load("synthetic:140:1:balanced", Cached with { Split = SplitMode.Stratified, SplitSeed = 3 }).Faces;

        Assert.Equal("stratified 80/10/10 (Training/PublicTest/PrivateTest), seed 3", faces.Provenance.SplitMethod);
        Assert.Equal(112, faces.IndicesOf(DataSplit.Training).Length);
    }

    [Fact]
    public void An_unknown_path_says_what_is_accepted()
    {
        var error = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(_temp.File("missing.csv"), Cached));

        Assert.Contains("no such file or folder", error.Message);
    }
}
