namespace Fergan.Data.Robustness;

/// <summary>
/// The conditions the seed report names as the gaps of existing FER systems, as deterministic corruptions of a
/// 48x48 gray face: low light, lost contrast, sensor noise, blur, and occlusion of the eyes, the mouth, or random
/// patches. FER2013 faces are roughly registered (eyes near row 19, mouth near row 36), so fixed bands hit them.
/// Two more come from how photos are stored and framed, and none of them is among the light and sensor changes
/// `train --photometric` trains with, so they test a model trained that way on something it never saw: JPEG
/// compression, and low resolution (a face a few dozen pixels wide in a photo, scaled up to 48x48).
/// Appended after the first seven, so their seeds, and every earlier score, stay as they were.
/// </summary>
public enum Corruption
{
    LowLight,
    Contrast,
    Noise,
    Blur,
    OcclusionEyes,
    OcclusionMouth,
    OcclusionPatches,
    Jpeg,
    LowResolution,
}

public static class FaceCorruptions
{
    public const int Severities = 5;
    private const int Side = FaceImage.Size;

    public static IReadOnlyList<Corruption> All { get; } = Enum.GetValues<Corruption>();

    public static string Name(this Corruption corruption) => corruption switch
    {
        Corruption.LowLight => "low-light",
        Corruption.Contrast => "contrast",
        Corruption.Noise => "noise",
        Corruption.Blur => "blur",
        Corruption.OcclusionEyes => "occlusion-eyes",
        Corruption.OcclusionMouth => "occlusion-mouth",
        Corruption.OcclusionPatches => "occlusion-patches",
        Corruption.Jpeg => "jpeg",
        Corruption.LowResolution => "low-resolution",
        _ => corruption.ToString(),
    };

    /// <summary>Corruptions by name ("noise,jpeg"), in the order given; an unknown name is an error that lists them all.</summary>
    public static IReadOnlyList<Corruption> Parse(string names)
    {
        var parsed = new List<Corruption>();
        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = All.Where(c => c.Name().Equals(name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (match.Count == 0)
            {
                throw new FerganException($"'{name}' is not a corruption; use {string.Join(", ", All.Select(c => c.Name()))}.");
            }
            if (!parsed.Contains(match[0]))
            {
                parsed.Add(match[0]);
            }
        }
        return parsed.Count > 0 ? parsed : throw new FerganException("no corruption named.");
    }

    /// <summary>One face corrupted at <paramref name="severity"/> 1 (mild) to 5 (severe); <paramref name="seed"/> fixes the random ones.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> face, Corruption corruption, int severity, int seed)
    {
        if (severity is < 1 or > Severities)
        {
            throw new ArgumentOutOfRangeException(nameof(severity), $"severity must be 1-{Severities} (got {severity}).");
        }
        if (face.Length != FaceImage.PixelCount)
        {
            throw new ArgumentException($"a face has {FaceImage.PixelCount} pixels (got {face.Length}).", nameof(face));
        }
        var s = severity - 1;
        var pixels = face.ToArray();
        switch (corruption)
        {
            case Corruption.LowLight:
                // Darker and crushed shadows: gamma > 1 after scaling down the exposure.
                double[] exposure = [0.8, 0.65, 0.5, 0.4, 0.3], gamma = [1.2, 1.4, 1.6, 1.8, 2.0];
                Map(pixels, v => 255 * Math.Pow(v / 255.0 * exposure[s], gamma[s]));
                break;
            case Corruption.Contrast:
                double[] keep = [0.6, 0.45, 0.3, 0.2, 0.1];
                var mean = pixels.Average(p => (double)p);
                Map(pixels, v => mean + (v - mean) * keep[s]);
                break;
            case Corruption.Noise:
                double[] sigma = [8, 16, 24, 32, 48];
                var random = new Random(seed);
                Map(pixels, v => v + sigma[s] * Gaussian(random));
                break;
            case Corruption.Blur:
                pixels = GaussianBlur(pixels, new[] { 0.6, 1.0, 1.5, 2.0, 3.0 }[s]);
                break;
            case Corruption.OcclusionEyes:
                Band(pixels, centre: 19, height: 4 + 2 * s, widthShare: 0.6 + 0.1 * s);
                break;
            case Corruption.OcclusionMouth:
                Band(pixels, centre: 36, height: 4 + 2 * s, widthShare: 0.5 + 0.1 * s);
                break;
            case Corruption.OcclusionPatches:
                var patches = new Random(seed);
                for (var p = 0; p < new[] { 1, 2, 3, 4, 6 }[s]; p++)
                {
                    Fill(pixels, patches.Next(Side - 10), patches.Next(Side - 10), 10, 10);
                }
                break;
            case Corruption.Jpeg:
                var decoded = Imaging.GrayFaceDecoder.TryDecode(Imaging.GrayFaceDecoder.EncodeJpeg(pixels, new[] { 50, 30, 20, 12, 6 }[s]), out var problem)
                    ?? throw new InvalidOperationException($"a JPEG written here did not decode: {problem}");
                pixels = decoded.Pixels;
                break;
            case Corruption.LowResolution:
                var side = new[] { 32, 24, 16, 12, 8 }[s];
                pixels = Upscale(Downscale(pixels, side), side);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(corruption));
        }
        return pixels;
    }

    private static void Map(byte[] pixels, Func<double, double> f)
    {
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp(Math.Round(f(pixels[i])), 0, 255);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>A black horizontal bar (sunglasses, a mask, a hand) across the centre of the face.</summary>
    private static void Band(byte[] pixels, int centre, int height, double widthShare)
    {
        var width = (int)Math.Round(Side * Math.Min(1, widthShare));
        Fill(pixels, (Side - width) / 2, centre - height / 2, width, height);
    }

    private static void Fill(byte[] pixels, int left, int top, int width, int height)
    {
        for (var y = Math.Max(0, top); y < Math.Min(Side, top + height); y++)
        {
            for (var x = Math.Max(0, left); x < Math.Min(Side, left + width); x++)
            {
                pixels[y * Side + x] = 0;
            }
        }
    }

    /// <summary>The face at <paramref name="side"/> x side pixels, each the mean of the 48x48 pixels it covers (area weights).</summary>
    private static double[] Downscale(byte[] pixels, int side)
    {
        var small = new double[side * side];
        var scale = (double)Side / side;
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                // Each source pixel spreads over the target pixels its square overlaps, by overlap.
                for (var ty = (int)(y / scale); ty <= Math.Min(side - 1, (int)((y + 1) / scale - 1e-9)); ty++)
                {
                    var oy = Math.Min(y + 1, (ty + 1) * scale) - Math.Max(y, ty * scale);
                    for (var tx = (int)(x / scale); tx <= Math.Min(side - 1, (int)((x + 1) / scale - 1e-9)); tx++)
                    {
                        var ox = Math.Min(x + 1, (tx + 1) * scale) - Math.Max(x, tx * scale);
                        small[ty * side + tx] += pixels[y * Side + x] * ox * oy / (scale * scale);
                    }
                }
            }
        }
        return small;
    }

    /// <summary>A side x side image back at 48x48, bilinear between pixel centres (edges repeat).</summary>
    private static byte[] Upscale(double[] small, int side)
    {
        var result = new byte[Side * Side];
        var scale = (double)side / Side;
        for (var y = 0; y < Side; y++)
        {
            var sy = Math.Clamp((y + 0.5) * scale - 0.5, 0, side - 1);
            int y0 = (int)sy, y1 = Math.Min(side - 1, y0 + 1);
            var fy = sy - y0;
            for (var x = 0; x < Side; x++)
            {
                var sx = Math.Clamp((x + 0.5) * scale - 0.5, 0, side - 1);
                int x0 = (int)sx, x1 = Math.Min(side - 1, x0 + 1);
                var fx = sx - x0;
                var v = (1 - fy) * ((1 - fx) * small[y0 * side + x0] + fx * small[y0 * side + x1])
                        + fy * ((1 - fx) * small[y1 * side + x0] + fx * small[y1 * side + x1]);
                result[y * Side + x] = (byte)Math.Clamp(Math.Round(v), 0, 255);
            }
        }
        return result;
    }

    private static byte[] GaussianBlur(byte[] pixels, double sigma)
    {
        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(d => Math.Exp(-d * d / (2 * sigma * sigma))).ToArray();
        var sum = kernel.Sum();
        for (var k = 0; k < kernel.Length; k++)
        {
            kernel[k] /= sum;
        }
        var horizontal = new double[pixels.Length];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                double v = 0;
                for (var d = -radius; d <= radius; d++)
                {
                    v += kernel[d + radius] * pixels[y * Side + Math.Clamp(x + d, 0, Side - 1)]; // edge pixels repeat
                }
                horizontal[y * Side + x] = v;
            }
        }
        var result = new byte[pixels.Length];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                double v = 0;
                for (var d = -radius; d <= radius; d++)
                {
                    v += kernel[d + radius] * horizontal[Math.Clamp(y + d, 0, Side - 1) * Side + x];
                }
                result[y * Side + x] = (byte)Math.Clamp(Math.Round(v), 0, 255);
            }
        }
        return result;
    }
}
