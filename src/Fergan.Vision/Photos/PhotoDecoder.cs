using SkiaSharp;

namespace Fergan.Vision.Photos;

/// <summary>Why a photo was refused; the web API maps these to HTTP statuses (400, 413, 415).</summary>
public enum PhotoProblem
{
    Empty,
    NotAnImage,
    Corrupt,
    TooLarge,
}

/// <summary>A photo that cannot be used, with a message that says why (and names the file when there is one).</summary>
public sealed class PhotoException(PhotoProblem problem, string message) : FerganException(message)
{
    public PhotoProblem Problem { get; } = problem;
}

/// <summary>
/// Limits that keep a hostile or accidental input from exhausting memory: the encoded size, and the decoded pixel
/// count, which is checked from the header before any pixel is decoded (a 1 KB PNG can claim 100k x 100k pixels).
/// </summary>
public sealed record PhotoLimits(long MaxBytes = 25 * 1024 * 1024, long MaxPixels = 40_000_000)
{
    public static PhotoLimits Default { get; } = new();
}

/// <summary>
/// Decodes JPEG, PNG, WebP, GIF and BMP photos into upright, opaque RGBA: EXIF orientation is applied (phones store
/// portraits sideways), transparency is composited onto white, and gray or CMYK sources come out as RGB.
/// </summary>
public static class PhotoDecoder
{
    public static SKBitmap Decode(ReadOnlySpan<byte> bytes, string source, PhotoLimits? limits = null)
    {
        limits ??= PhotoLimits.Default;
        if (bytes.IsEmpty)
        {
            throw new PhotoException(PhotoProblem.Empty, $"{source}: the file is empty (0 bytes).");
        }
        if (bytes.Length > limits.MaxBytes)
        {
            throw new PhotoException(PhotoProblem.TooLarge, $"{source}: {bytes.Length:N0} bytes is over the limit of {limits.MaxBytes:N0} bytes.");
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new PhotoException(PhotoProblem.NotAnImage, $"{source}: not an image Fergan can read (JPEG, PNG, WebP, GIF or BMP).");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new PhotoException(PhotoProblem.Corrupt, $"{source}: the image header gives no size.");
        }
        if ((long)info.Width * info.Height > limits.MaxPixels)
        {
            throw new PhotoException(PhotoProblem.TooLarge, $"{source}: {info.Width}x{info.Height} is {(long)info.Width * info.Height / 1e6:F0} MP, over the limit of {limits.MaxPixels / 1e6:F0} MP.");
        }
        var decodedInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(decodedInfo);
        var result = codec.GetPixels(decodedInfo, decoded.GetPixels());
        switch (result)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput:
                throw new PhotoException(PhotoProblem.Corrupt, $"{source}: the image data is truncated or corrupt ({result}).");
            default:
                throw new PhotoException(PhotoProblem.Corrupt, $"{source}: the image cannot be decoded ({result}).");
        }
        return Upright(decoded, codec.EncodedOrigin);
    }

    public static SKBitmap Decode(string path, PhotoLimits? limits = null)
    {
        limits ??= PhotoLimits.Default;
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new FerganException($"{path} does not exist.");
        }
        if (file.Length > limits.MaxBytes)
        {
            throw new PhotoException(PhotoProblem.TooLarge, $"{path}: {file.Length:N0} bytes is over the limit of {limits.MaxBytes:N0} bytes.");
        }
        return Decode(File.ReadAllBytes(path), path, limits);
    }

    /// <summary>Draws the decoded pixels through the EXIF orientation onto an opaque white canvas.</summary>
    private static SKBitmap Upright(SKBitmap decoded, SKEncodedOrigin origin)
    {
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var width = swap ? decoded.Height : decoded.Width;
        var height = swap ? decoded.Width : decoded.Height;
        var upright = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(upright);
        canvas.Clear(SKColors.White);
        canvas.SetMatrix(OriginMatrix(origin, decoded.Width, decoded.Height));
        using var image = SKImage.FromBitmap(decoded);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest)); // whole-pixel moves only
        return upright;
    }

    /// <summary>The transform from stored pixels to upright pixels for each EXIF orientation (1-8).</summary>
    private static SKMatrix OriginMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),     // mirrored
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1), // rotated 180
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),   // flipped
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),       // transposed
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),     // rotated 90 clockwise
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1), // transversed
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),   // rotated 90 counter-clockwise
        _ => SKMatrix.Identity,
    };
}
