using Fergan.Data;
using Fergan.Data.Loading;

namespace Fergan.Data.Tests;

public sealed class SplitFingerprintTests
{
    private static FaceSet Load(string spec) => DatasetLoader.Load(spec, new DatasetOptions { UseCache = false }).Faces;

    [Fact]
    public void The_same_faces_loaded_twice_match_and_a_changed_pixel_label_or_split_does_not()
    {
        var faces = Load("synthetic:140:1");
        var training = SplitFingerprint.Of(faces, DataSplit.Training);

        Assert.Equal(training, SplitFingerprint.Of(Load("synthetic:140:1"), DataSplit.Training));
        Assert.Equal(faces.IndicesOf(DataSplit.Training).Length, training.Faces);
        Assert.NotEqual(training, SplitFingerprint.Of(Load("synthetic:140:2"), DataSplit.Training));
        Assert.NotEqual(training, SplitFingerprint.Of(faces, DataSplit.PublicTest));

        var first = faces.IndicesOf(DataSplit.Training)[0];
        var (pixels, labels, splits, rows, synthetic, soft) = faces.Columns;
        var onePixel = (byte[])pixels.Clone();
        onePixel[first * FaceImage.PixelCount + 100] ^= 1;
        var relabelled = (Emotion[])labels.Clone();
        relabelled[first] = relabelled[first] == Emotion.Happy ? Emotion.Sad : Emotion.Happy;
        var moved = (DataSplit[])splits.Clone();
        moved[first] = DataSplit.PublicTest;
        Assert.NotEqual(training, SplitFingerprint.Of(new FaceSet(onePixel, labels, splits, rows, synthetic, soft, faces.Provenance), DataSplit.Training));
        Assert.NotEqual(training, SplitFingerprint.Of(new FaceSet(pixels, relabelled, splits, rows, synthetic, soft, faces.Provenance), DataSplit.Training));
        Assert.NotEqual(training, SplitFingerprint.Of(new FaceSet(pixels, labels, moved, rows, synthetic, soft, faces.Provenance), DataSplit.Training));
        // Provenance (a renamed or moved source) is not content.
        Assert.Equal(training, SplitFingerprint.Of(new FaceSet(pixels, labels, splits, rows, synthetic, soft, faces.Provenance with { Source = "elsewhere" }), DataSplit.Training));
    }
}
