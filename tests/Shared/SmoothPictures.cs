using Fergan.Data;

namespace Fergan.Tests;

/// <summary>
/// Smooth random 48x48 pictures (sums of random blobs) and copies of them changed the way duplicates in FER2013 are:
/// unlike one another, but with the structure of a photo, so correlation-based duplicate search behaves as on faces.
/// </summary>
public static class SmoothPictures
{
    private const int Side = FaceImage.Size;

    public static byte[] Picture(int seed)
    {
        var random = new Random(seed);
        var values = new double[FaceImage.PixelCount];
        for (var blob = 0; blob < 12; blob++)
        {
            double cx = random.Next(-8, 56), cy = random.Next(-8, 56), radius = random.Next(4, 14), height = random.Next(-90, 91);
            for (var p = 0; p < values.Length; p++)
            {
                var d2 = Math.Pow(p % Side - cx, 2) + Math.Pow(p / Side - cy, 2);
                values[p] += height * Math.Exp(-d2 / (2 * radius * radius));
            }
        }
        return values.Select(v => (byte)Math.Clamp(128 + v, 0, 255)).ToArray();
    }

    /// <summary>A picture whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static byte[] Map(Func<int, int, byte> pixel) =>
        Enumerable.Range(0, FaceImage.PixelCount).Select(p => pixel(p % Side, p / Side)).ToArray();

    /// <summary>Pixel (x, y) of <paramref name="face"/>, the nearest edge pixel outside it.</summary>
    public static byte At(byte[] face, int x, int y) => face[Math.Clamp(y, 0, Side - 1) * Side + Math.Clamp(x, 0, Side - 1)];

    public static byte[] Mirrored(byte[] face) => Map((x, y) => At(face, Side - 1 - x, y));

    /// <summary>Brightness and contrast changed: v * gain + offset.</summary>
    public static byte[] Relit(byte[] face, double gain, double offset) => Map((x, y) => (byte)Math.Clamp(Math.Round(At(face, x, y) * gain + offset), 0, 255));

    /// <summary>The picture moved by (dx, dy), its edge repeated: what a crop a few pixels off looks like.</summary>
    public static byte[] Shifted(byte[] face, int dx, int dy) => Map((x, y) => At(face, x - dx, y - dy));

    /// <summary>
    /// A FER2013 CSV with six Training pictures and three faces in each test split. PublicTest: an exact copy of
    /// Training's first picture (data row 6), a relit copy of its second (7), a new picture (8). PrivateTest: a
    /// mirrored copy of the third (9), a copy of the fourth moved by 2 px (10), a new picture (11).
    /// </summary>
    public static string PlantedDuplicatesCsv()
    {
        var training = Enumerable.Range(0, 6).Select(Picture).ToArray();
        static string Row(int label, byte[] pixels, string usage) => $"{label},{string.Join(' ', pixels)},{usage}";
        return CsvFixture.Lines([CsvFixture.Header,
            .. training.Select((t, i) => Row(i % 7, t, "Training")),
            Row(0, training[0], "PublicTest"),
            Row(1, Relit(training[1], 0.6, 70), "PublicTest"),
            Row(2, Picture(100), "PublicTest"),
            Row(3, Mirrored(training[2]), "PrivateTest"),
            Row(4, Shifted(training[3], -2, 2), "PrivateTest"),
            Row(5, Picture(101), "PrivateTest")]);
    }
}
