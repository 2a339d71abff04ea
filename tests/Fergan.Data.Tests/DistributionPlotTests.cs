using Fergan.Data.Analysis;
using Fergan.Data.Duplicates;
using Fergan.Data.Loading;
using Fergan.Tests;
using SkiaSharp;

namespace Fergan.Data.Tests;

public sealed class DistributionPlotTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Writes_a_readable_png_with_one_bar_colour_per_split()
    {
        var faces = DatasetLoader.Load("synthetic:700", new DatasetOptions { UseCache = false }).Faces;
        var stats = DatasetStatistics.Compute(faces, DuplicateReport.Find(faces));
        var path = _temp.File("plot.png");

        DistributionPlot.SavePng(stats, path);

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal((1000, 560), (bitmap.Width, bitmap.Height));
        // The three split colours (steel blue, dark orange, sea green) all appear as bars.
        var colours = new HashSet<SKColor>();
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                colours.Add(bitmap.GetPixel(x, y));
            }
        }
        Assert.Contains(new SKColor(0x46, 0x82, 0xB4), colours);
        Assert.Contains(new SKColor(0xFF, 0x8C, 0x00), colours);
        Assert.Contains(new SKColor(0x2E, 0x8B, 0x57), colours);
    }

    [Fact]
    public void A_balanced_split_reads_as_no_imbalance()
    {
        Assert.Equal("happy/disgust = 16.5x", new ImbalanceFigures("happy", "disgust", 16.5, 0).Describe());
        // After `data synthesize --target balance` every emotion has the largest one's count.
        Assert.Equal("none (every emotion equally frequent)", new ImbalanceFigures("angry", "angry", 1, 0).Describe());
        Assert.Equal("none among the emotions present", new ImbalanceFigures("angry", "angry", 1, 1).Describe());
    }

    [Fact]
    public void Statistics_report_counts_and_imbalance_per_split()
    {
        var faces = DatasetLoader.Load("synthetic:700", new DatasetOptions { UseCache = false }).Faces;

        var stats = DatasetStatistics.Compute(faces, DuplicateReport.Find(faces));

        Assert.Equal(700, stats.Splits.Values.Sum(s => s.Values.Sum()));
        Assert.Equal(["Training", "PublicTest", "PrivateTest"], stats.Splits.Keys);
        Assert.Equal("happy", stats.Imbalance["Training"].Largest);
        Assert.Equal("disgust", stats.Imbalance["Training"].Smallest);
    }
}
