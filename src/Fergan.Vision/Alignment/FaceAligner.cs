using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Vision.Detection;
using SkiaSharp;

namespace Fergan.Vision.Alignment;

/// <summary>A face cut out of a photo the way FER2013 stores faces: 48x48 gray, row-major.</summary>
/// <param name="Pixels">48x48 luma values.</param>
/// <param name="AngleDegrees">How far the face was rotated to level the eyes (0 when not rotated).</param>
/// <param name="Rotated">False for the plain-box fallback (profile faces, whose eye line is not reliable).</param>
public sealed record AlignedFace(byte[] Pixels, float AngleDegrees, bool Rotated);

/// <summary>
/// Turns a detection into a FER2013-style face: rotates the photo about the face so the eye line is level, then
/// scales and crops so the face sits where FER2013's faces sit, and converts to gray with FER2013's luma weights.
/// </summary>
/// <remarks>
/// Where FER2013's faces sit was measured, not guessed: BlazeFace's 128 px network run on 2,000 FER2013 Training
/// faces (every 10th; 1,867 detected) puts the box centre at (24.5, 27.6) and the box width at 42.8 px, median
/// (`dotnet run --project bench/Fergan.PhotoBench -- calibrate-alignment --data fer2013.csv.gz`). Mapping a photo
/// face's box onto that box makes the crop's margin FER2013's. Scale comes from the box, not the eye distance,
/// because the eyes draw together as a face turns away while the box does not.
/// </remarks>
public static class FaceAligner
{
    /// <summary>FER2013's median BlazeFace box, in 48x48 face pixels (see remarks).</summary>
    public const float FerBoxCenterX = 24.5f, FerBoxCenterY = 27.6f, FerBoxWidth = 42.8f;

    /// <summary>
    /// Below this eye distance (as a fraction of the box width; FER2013's median is 0.42) the face is turned too
    /// far for its eye line to give the roll angle, and the plain box is used.
    /// </summary>
    public const float MinEyeDistanceRatio = 0.2f;

    public static AlignedFace Align(SKBitmap photo, FaceDetection face)
    {
        var right = face[FaceKeypoint.RightEye];
        var left = face[FaceKeypoint.LeftEye];
        var dx = left.X - right.X;
        var dy = left.Y - right.Y;
        var eyeDistance = MathF.Sqrt(dx * dx + dy * dy);
        // The subject's left eye is on the photo's right: dx > 0 for an upright face. A negative dx means the eyes
        // are swapped or the face is upside down or in profile; the box alone is safer then.
        var frontal = dx > 0 && eyeDistance >= MinEyeDistanceRatio * face.Box.Width;
        var angle = frontal ? MathF.Atan2(dy, dx) * 180 / MathF.PI : 0f;
        return new AlignedFace(Cut(photo, face.Box, angle), angle, frontal);
    }

    /// <summary>Samples the 48x48 face: photo -> rotate about the box centre by -angle -> scale the box to FER2013's.</summary>
    private static byte[] Cut(SKBitmap photo, BoxF box, float angleDegrees)
    {
        var scale = FerBoxWidth / Math.Max(box.Width, 1f);
        var matrix = SKMatrix.CreateTranslation(-box.CenterX, -box.CenterY)
            .PostConcat(SKMatrix.CreateRotationDegrees(-angleDegrees))
            .PostConcat(SKMatrix.CreateScale(scale, scale))
            .PostConcat(SKMatrix.CreateTranslation(FerBoxCenterX, FerBoxCenterY));
        using var face = new SKBitmap(new SKImageInfo(FaceImage.Size, FaceImage.Size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(face))
        using (var image = SKImage.FromBitmap(photo))
        // Clamp: a face at the photo's edge continues its border pixels instead of gaining a black band FER2013
        // faces never have. Mipmaps: faces are often shrunk tenfold, and plain bilinear sampling would alias.
        using (var shader = image.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)))
        using (var paint = new SKPaint { Shader = shader })
        {
            canvas.SetMatrix(matrix);
            matrix.TryInvert(out var inverse);
            canvas.DrawRect(inverse.MapRect(SKRect.Create(0, 0, FaceImage.Size, FaceImage.Size)), paint);
        }
        return GrayFaceDecoder.Luma(face);
    }
}
