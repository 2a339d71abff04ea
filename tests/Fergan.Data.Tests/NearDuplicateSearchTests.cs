using Fergan.Data.Duplicates;
using Fergan.Tests;
using static Fergan.Tests.SmoothPictures;

namespace Fergan.Data.Tests;

public sealed class NearDuplicateSearchTests
{
    private static FaceSet Set(params (byte[] Pixels, DataSplit Split)[] faces) =>
        new(faces.SelectMany(f => f.Pixels).ToArray(), faces.Select(_ => Emotion.Happy).ToArray(), faces.Select(f => f.Split).ToArray(),
            Enumerable.Range(0, faces.Length).ToArray(), new bool[faces.Length], null, new DatasetProvenance { Source = "test", Format = "test" });

    [Fact]
    public void Finds_the_same_picture_brightened_mirrored_or_cropped_off_and_not_other_pictures()
    {
        var training = Enumerable.Range(0, 40).Select(Picture).ToArray();
        var brightened = Relit(training[3], 0.7, 50);
        var mirrored = Mirrored(training[7]);
        var shifted = Shifted(training[11], 2, -1); // 2 px right, 1 px up

        var other = Picture(1000);
        var flat = Enumerable.Repeat((byte)90, FaceImage.PixelCount).ToArray();
        var faces = Set([.. training.Select(t => (t, DataSplit.Training)),
            (brightened, DataSplit.PublicTest), (mirrored, DataSplit.PublicTest), (shifted, DataSplit.PrivateTest),
            (other, DataSplit.PrivateTest), (flat, DataSplit.PrivateTest)]);
        int[] queries = [40, 41, 42, 43, 44];

        var nearest = NearDuplicateSearch.NearestInTraining(faces, queries);

        Assert.Equal((3, false), (nearest[0].Training, nearest[0].Mirrored));
        Assert.True(nearest[0].Correlation > 0.999, $"brightened: r {nearest[0].Correlation}");
        Assert.Equal((7, true), (nearest[1].Training, nearest[1].Mirrored));
        Assert.True(nearest[1].Correlation > 0.999, $"mirrored: r {nearest[1].Correlation}");
        Assert.Equal((11, false, 2, -1), (nearest[2].Training, nearest[2].Mirrored, nearest[2].ShiftX, nearest[2].ShiftY));
        Assert.True(nearest[2].Correlation > 0.99, $"shifted: r {nearest[2].Correlation}");
        Assert.True(nearest[3].Correlation < NearDuplicateOptions.DefaultMinCorrelation, $"another picture: r {nearest[3].Correlation} with face {nearest[3].Training}");
        Assert.Equal(-1, nearest[4].Training);

        var found = NearDuplicateSearch.FindInTraining(faces, queries);
        Assert.Equal([40, 41, 42], found.Select(m => m.Query));
        var withoutMirror = NearDuplicateSearch.FindInTraining(faces, queries, new NearDuplicateOptions { Mirrored = false });
        Assert.Equal([40, 42], withoutMirror.Select(m => m.Query));
        var withoutShift = NearDuplicateSearch.FindInTraining(faces, queries, new NearDuplicateOptions { MaxShift = 0, MinCorrelation = 0.99 });
        Assert.Equal([40, 41], withoutShift.Select(m => m.Query));
    }

    [Fact]
    public void Correlation_is_pearsons_and_a_shift_finds_the_moved_copy()
    {
        var a = Picture(1);
        var b = Picture(2);
        double[] x = [.. a.Select(v => (double)v)], y = [.. b.Select(v => (double)v)];
        double mx = x.Average(), my = y.Average();
        var expected = x.Zip(y, (u, v) => (u - mx) * (v - my)).Sum() / Math.Sqrt(x.Sum(u => (u - mx) * (u - mx)) * y.Sum(v => (v - my) * (v - my)));

        Assert.Equal(expected, NearDuplicateSearch.Correlation(a, b), 5);
        Assert.Equal(1, NearDuplicateSearch.Correlation(a, a), 5);
        var moved = Shifted(a, -3, 3);
        Assert.True(NearDuplicateSearch.Correlation(a, moved) < 0.98);
        Assert.True(NearDuplicateSearch.Correlation(a, moved, maxShift: 3) > 0.99);
        Assert.Equal(0, NearDuplicateSearch.Correlation(a, Enumerable.Repeat((byte)7, FaceImage.PixelCount).ToArray()));
    }

    [Fact]
    public void The_shift_search_finds_the_best_of_all_shifts_for_moved_copies()
    {
        // The search tries about 20 of the 49 shifts (coarse to fine); on a moved, relit, noisy copy it must still
        // land on the best one that trying every shift finds.
        static double Pearson(byte[] a, byte[] b, int dx, int dy)
        {
            var pairs = new List<(double X, double Y)>();
            for (var r = Math.Max(0, dy); r < FaceImage.Size + Math.Min(0, dy); r++)
            {
                for (var c = Math.Max(0, dx); c < FaceImage.Size + Math.Min(0, dx); c++)
                {
                    pairs.Add((a[r * FaceImage.Size + c], b[(r - dy) * FaceImage.Size + c - dx]));
                }
            }
            double mx = pairs.Average(p => p.X), my = pairs.Average(p => p.Y);
            return pairs.Sum(p => (p.X - mx) * (p.Y - my)) / Math.Sqrt(pairs.Sum(p => (p.X - mx) * (p.X - mx)) * pairs.Sum(p => (p.Y - my) * (p.Y - my)));
        }
        var noise = new Random(5);
        foreach (var (seed, dx, dy) in new[] { (1, 3, -2), (2, -1, 1), (3, 0, 3), (4, -3, -3), (5, 2, 0) })
        {
            var original = Picture(seed);
            var copy = Map((x, y) => (byte)Math.Clamp(At(original, x - dx, y - dy) * 0.8 + 30 + noise.Next(-12, 13), 0, 255));
            var everyShift = Enumerable.Range(-3, 7).SelectMany(sy => Enumerable.Range(-3, 7).Select(sx => Pearson(copy, original, sx, sy))).Max();

            Assert.Equal(everyShift, NearDuplicateSearch.Correlation(copy, original, maxShift: 3), 6);
        }
    }

    [Fact]
    public void Training_overlap_leaves_out_exact_then_near_duplicates()
    {
        var training = Enumerable.Range(0, 10).Select(Picture).ToArray();
        var faces = Set([.. training.Select(t => (t, DataSplit.Training)),
            (training[2], DataSplit.PrivateTest),
            (Relit(training[5], 0.5, 60), DataSplit.PrivateTest),
            (Picture(99), DataSplit.PrivateTest)]);
        var test = faces.IndicesOf(DataSplit.PrivateTest);

        Assert.Equal(test, TrainingOverlap.Without(faces, test, TrainingDuplicates.Keep));
        Assert.Equal([11, 12], TrainingOverlap.Without(faces, test, TrainingDuplicates.Exact));
        Assert.Equal([12], TrainingOverlap.Without(faces, test, TrainingDuplicates.Near));
        // Answers are remembered per set and setting: asking again, for part of the faces, or under another
        // setting gives that setting's answer.
        Assert.Equal([12], TrainingOverlap.Without(faces, [12, 11], TrainingDuplicates.Near));
        Assert.Equal([11, 12], TrainingOverlap.Without(faces, test, TrainingDuplicates.Near, new NearDuplicateOptions { MinCorrelation = 1 }));
    }

    [Fact]
    public void Pictures_from_outside_the_set_are_compared_with_its_training_faces()
    {
        var training = Enumerable.Range(0, 10).Select(Picture).ToArray();
        var faces = Set([.. training.Select(t => (t, DataSplit.Training))]);

        var nearest = NearDuplicateSearch.NearestInTraining(faces, [Picture(50), Relit(training[4], 1.2, -10), training[9]]);

        Assert.Equal([0, 1, 2], nearest.Select(m => m.Query));
        Assert.True(nearest[0].Correlation < NearDuplicateOptions.DefaultMinCorrelation);
        Assert.Equal((4, 9), (nearest[1].Training, nearest[2].Training)); // a picture equal to a Training face is its copy
        Assert.True(nearest[2].Correlation > 0.9999);
        Assert.Contains("pixels", Assert.Throws<FerganException>(() => NearDuplicateSearch.NearestInTraining(faces, [new byte[10]])).Message);
    }

    [Fact]
    public void Bad_settings_are_named()
    {
        var faces = Set((Picture(1), DataSplit.Training), (Picture(2), DataSplit.PublicTest));
        Assert.Contains("correlation", Assert.Throws<FerganException>(() =>
            NearDuplicateSearch.NearestInTraining(faces, [1], new NearDuplicateOptions { MinCorrelation = 1.5 })).Message);
        Assert.Contains("shift", Assert.Throws<FerganException>(() =>
            NearDuplicateSearch.NearestInTraining(faces, [1], new NearDuplicateOptions { MaxShift = 20 })).Message);
    }
}
