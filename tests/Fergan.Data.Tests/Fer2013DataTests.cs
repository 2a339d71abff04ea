using Fergan.Data;
using Fergan.Data.Analysis;
using Fergan.Data.Duplicates;
using Fergan.Data.FerPlus;
using Fergan.Data.Loading;
using Fergan.Tests;

namespace Fergan.Data.Tests;

/// <summary>The real FER2013 and FER+ files: official counts and known duplicate figures. Skipped without ../shared.</summary>
public sealed class Fer2013DataTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reproduces_the_official_split_counts_and_the_duplicate_figures()
    {
        Assert.SkipWhen(SharedData.Fer2013 is null, SharedData.SkipReason);
        var faces = DatasetLoader.Load(SharedData.Fer2013!, new DatasetOptions { CacheDirectory = _temp.Path }).Faces;

        var stats = DatasetStatistics.Compute(faces, DuplicateReport.Find(faces));

        Assert.Equal(35887, stats.Total);
        Assert.Equal([3995, 436, 4097, 7215, 4830, 3171, 4965], stats.Splits["Training"].Values);
        Assert.Equal([467, 56, 496, 895, 653, 415, 607], stats.Splits["PublicTest"].Values);
        Assert.Equal([491, 55, 528, 879, 594, 416, 626], stats.Splits["PrivateTest"].Values);
        Assert.Equal(34036, stats.Duplicates.DistinctImages);
        Assert.Equal(1514, stats.Duplicates.DuplicateGroups);
        Assert.Equal(280, stats.Duplicates.CrossSplit["PublicTest_in_Training"]);
        Assert.Equal(288, stats.Duplicates.CrossSplit["PrivateTest_in_Training"]);
        Assert.Equal(12, stats.Duplicates.AllBlackImages);
    }

    [Fact]
    public void Ferplus_majority_labels_join_by_row()
    {
        Assert.SkipWhen(SharedData.Fer2013 is null || SharedData.FerPlus is null, SharedData.SkipReason);

        var options = new DatasetOptions { CacheDirectory = _temp.Path };
        var original = DatasetLoader.Load(SharedData.Fer2013!, options).Faces;
        var relabelled = DatasetLoader.Load(SharedData.Fer2013!, options with { FerPlus = SharedData.FerPlus, FerPlusMode = FerPlusMode.Majority }).Faces;

        Assert.Equal("ferplus-majority", relabelled.Provenance.LabelSource);
        // Measured on this copy (python over the raw files): 33,500 clear-majority faces, 22,013 (65.7%) agreeing with FER2013.
        Assert.Equal(33500, relabelled.Count);
        var agree = Enumerable.Range(0, relabelled.Count).Count(i => relabelled.Label(i) == original.Label(relabelled.SourceRow(i)));
        Assert.Equal(22013, agree);
    }
}
