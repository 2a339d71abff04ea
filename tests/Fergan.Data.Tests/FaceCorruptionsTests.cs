using Fergan.Data.Robustness;

namespace Fergan.Data.Tests;

public sealed class FaceCorruptionsTests
{
    /// <summary>A face-like gradient with texture, so every corruption has something to change.</summary>
    private static byte[] Face() =>
        Enumerable.Range(0, FaceImage.PixelCount).Select(i => (byte)(60 + (i % 48) * 2 + (i / 48 % 5) * 10)).ToArray();

    private static double MeanAbsDifference(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();

    [Theory]
    [InlineData(Corruption.LowLight)]
    [InlineData(Corruption.Contrast)]
    [InlineData(Corruption.Noise)]
    [InlineData(Corruption.Blur)]
    [InlineData(Corruption.OcclusionEyes)]
    [InlineData(Corruption.OcclusionMouth)]
    [InlineData(Corruption.OcclusionPatches)]
    [InlineData(Corruption.Jpeg)]
    [InlineData(Corruption.LowResolution)]
    public void Damage_grows_with_severity_and_is_deterministic(Corruption corruption)
    {
        var face = Face();
        var damage = Enumerable.Range(1, FaceCorruptions.Severities).Select(s => MeanAbsDifference(face, FaceCorruptions.Apply(face, corruption, s, seed: 3))).ToArray();

        Assert.True(damage[0] > 0, $"{corruption} severity 1 changed nothing");
        Assert.True(damage[^1] > damage[0], $"{corruption}: {string.Join(", ", damage)}");
        Assert.Equal(FaceCorruptions.Apply(face, corruption, 3, seed: 9), FaceCorruptions.Apply(face, corruption, 3, seed: 9));
    }

    [Fact]
    public void Occlusion_bands_cover_the_eyes_or_the_mouth_only()
    {
        var face = Face();
        var eyes = FaceCorruptions.Apply(face, Corruption.OcclusionEyes, 1, 0);
        var mouth = FaceCorruptions.Apply(face, Corruption.OcclusionMouth, 1, 0);

        Assert.Equal(0, eyes[19 * 48 + 24]);
        Assert.Equal(face[36 * 48 + 24], eyes[36 * 48 + 24]);
        Assert.Equal(0, mouth[36 * 48 + 24]);
        Assert.Equal(face[19 * 48 + 24], mouth[19 * 48 + 24]);
    }

    [Fact]
    public void Low_light_darkens_and_contrast_loss_keeps_the_mean()
    {
        var face = Face();
        var dark = FaceCorruptions.Apply(face, Corruption.LowLight, 3, 0);
        var flat = FaceCorruptions.Apply(face, Corruption.Contrast, 5, 0);

        Assert.True(dark.Average(p => p) < face.Average(p => p) * 0.6);
        Assert.Equal(face.Average(p => p), flat.Average(p => p), 0);
        Assert.True(flat.Max() - flat.Min() < (face.Max() - face.Min()) * 0.2);
    }

    [Fact]
    public void Low_resolution_keeps_flat_faces_and_the_mean_and_loses_fine_detail()
    {
        var flat = Enumerable.Repeat((byte)117, FaceImage.PixelCount).ToArray();
        var checkerboard = Enumerable.Range(0, FaceImage.PixelCount).Select(i => (byte)((i % 48 + i / 48) % 2 == 0 ? 40 : 200)).ToArray();

        Assert.Equal(flat, FaceCorruptions.Apply(flat, Corruption.LowResolution, 3, 0));
        Assert.All(FaceCorruptions.Apply(flat, Corruption.Jpeg, 3, 0), p => Assert.InRange(p, 116, 118)); // JPEG rounds by a level
        var blurred = FaceCorruptions.Apply(checkerboard, Corruption.LowResolution, 5, 0);   // 8x8, then back to 48x48
        Assert.Equal(120, blurred.Average(p => p), 0);
        Assert.True(blurred.Max() - blurred.Min() <= 2, $"{blurred.Min()}-{blurred.Max()}");
    }

    [Fact]
    public void Corruptions_are_named_as_the_cli_takes_them()
    {
        Assert.Equal([Corruption.Jpeg, Corruption.Noise], FaceCorruptions.Parse("jpeg, NOISE,jpeg"));
        var e = Assert.Throws<FerganException>(() => FaceCorruptions.Parse("sunburn"));
        Assert.Contains("low-resolution", e.Message);
    }

    [Fact]
    public void Bad_severity_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceCorruptions.Apply(Face(), Corruption.Blur, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceCorruptions.Apply(Face(), Corruption.Blur, 6, 0));
    }
}
