using Fergan.Data;
using Fergan.Data.Cache;
using Fergan.Tests;

namespace Fergan.Data.Tests;

public sealed class FaceSetFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static FaceSet Sample()
    {
        var pixels = new byte[2 * FaceImage.PixelCount];
        pixels.AsSpan(FaceImage.PixelCount).Fill(200);
        var soft = new float[2 * Emotions.Count];
        soft[(int)Emotion.Fear] = 0.75f;
        soft[(int)Emotion.Angry] = 0.25f;
        soft[Emotions.Count + (int)Emotion.Sad] = 1f;
        var provenance = new DatasetProvenance { Source = "test", Format = "fer2013-csv", LabelSource = "ferplus-probability" }
            .WithOperation("unit test");
        return new FaceSet(pixels, [Emotion.Fear, Emotion.Sad], [DataSplit.Training, DataSplit.PrivateTest], [7, 9], [false, true], soft, provenance);
    }

    [Fact]
    public void Round_trips_every_column_and_the_provenance()
    {
        var path = _temp.File("set.fgn");
        var original = Sample();

        FaceSetFile.Write(original, path);
        var read = FaceSetFile.Read(path);

        Assert.True(FaceSetFile.LooksLikeFaceSetFile(path));
        Assert.Equal(original.Labels, read.Labels);
        Assert.Equal(original.Splits, read.Splits);
        Assert.Equal([7, 9], new[] { read.SourceRow(0), read.SourceRow(1) });
        Assert.Equal([false, true], new[] { read.IsSynthetic(0), read.IsSynthetic(1) });
        Assert.True(original.AllPixels.SequenceEqual(read.AllPixels));
        Assert.Equal(0.75f, read.SoftLabel(0)[(int)Emotion.Fear]);
        Assert.Equal("ferplus-probability", read.Provenance.LabelSource);
        Assert.Equal(["unit test"], read.Provenance.Operations);
    }

    [Fact]
    public void A_truncated_file_is_detected()
    {
        var path = _temp.File("set.fgn");
        FaceSetFile.Write(Sample(), path);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^100]);

        var error = Assert.Throws<DataFormatException>(() => FaceSetFile.Read(path));

        Assert.Contains("truncated or damaged", error.Message);
    }

    [Fact]
    public void A_foreign_file_is_rejected()
    {
        var path = _temp.Write("x.fgn", "emotion,pixels,Usage\n");

        Assert.False(FaceSetFile.LooksLikeFaceSetFile(path));
        Assert.Contains("not a Fergan dataset file", Assert.Throws<DataFormatException>(() => FaceSetFile.Read(path)).Message);
    }
}
