using Fergan.Data;
using Fergan.Data.Duplicates;

namespace Fergan.Data.Tests;

public sealed class DuplicateReportTests
{
    [Fact]
    public void Counts_groups_cross_split_overlaps_conflicts_and_black_images()
    {
        var faces = TestFaces.Build(
            (Emotion.Happy, DataSplit.Training, 10),      // 0 \
            (Emotion.Happy, DataSplit.PublicTest, 10),    // 1  } group A: also across splits
            (Emotion.Sad, DataSplit.PrivateTest, 10),     // 2 /  and a label conflict
            (Emotion.Angry, DataSplit.Training, 20),      // 3 \ group B: inside Training
            (Emotion.Angry, DataSplit.Training, 20),      // 4 /
            (Emotion.Fear, DataSplit.PublicTest, 0),      // 5   unique, all black
            (Emotion.Fear, DataSplit.PrivateTest, 30));   // 6   unique

        var report = DuplicateReport.Find(faces);

        Assert.Equal(2, report.Groups.Count);
        Assert.Equal(4, report.DistinctImages);
        Assert.Equal(1, report.LabelConflictGroups);
        Assert.Equal(1, report.AllBlackImages);
        Assert.Equal(1, report.CrossSplit[(DataSplit.PublicTest, DataSplit.Training)]);
        Assert.Equal(1, report.CrossSplit[(DataSplit.PrivateTest, DataSplit.Training)]);
        Assert.Equal(1, report.CrossSplit[(DataSplit.PrivateTest, DataSplit.PublicTest)]);
        Assert.Equal(1, report.WithinSplit[DataSplit.Training]);
        Assert.True(report.AlsoInTraining(faces, 2));
        Assert.False(report.AlsoInTraining(faces, 6));
        Assert.True(report.AlsoInTraining(faces, 3)); // its twin in Training
        Assert.False(report.AlsoInTraining(faces, 0)); // only itself in Training
    }

    [Fact]
    public void Images_that_differ_in_one_pixel_are_not_duplicates()
    {
        var faces = TestFaces.Build((Emotion.Happy, DataSplit.Training, 10), (Emotion.Happy, DataSplit.PublicTest, 10));
        var pixels = faces.AllPixels.ToArray();
        pixels[FaceImage.PixelCount + 100] = 11;
        var altered = new FaceSet(pixels, [.. faces.Labels], [.. faces.Splits], [0, 1], [false, false], null, faces.Provenance);

        Assert.Empty(DuplicateReport.Find(altered).Groups);
    }
}
