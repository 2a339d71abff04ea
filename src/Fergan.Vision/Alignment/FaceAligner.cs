using Fergan.Data;
using Fergan.Data.Imaging;
using Fergan.Vision.Detection;
using SkiaSharp;

namespace Fergan.Vision.Alignment;

/// <summary>A face cut out of a photo the way FER2013 stores faces: 48x48 gray, row-major.</summary>
/// <param name="Pixels">48x48 luma values.</param>
/// <param name="AngleDegrees">How far the face was rotated to level the eyes (0 when not rotated).</param>
/// <param name="Rotated">Whether it was: only a frontal face rolled more than <see cref="FaceAligner.LevelBeyondDegrees"/> is.</param>
public sealed record AlignedFace(byte[] Pixels, float AngleDegrees, bool Rotated);

/// <summary>
/// Turns a detection into a FER2013-style face: estimates the box FER2013 would have cut the face with, levels the
/// eyes of a face rolled further than the classifier ever saw, then scales and crops so the face sits where
/// FER2013's faces sit, and converts to gray with FER2013's luma weights.
/// </summary>
/// <remarks>
/// Where FER2013's faces sit was measured, not guessed: BlazeFace's 128 px network run on 2,000 FER2013 Training
/// faces (every 10th; 1,867 detected) puts the box centre at (24.5, 27.6) and the box width at 42.8 px, median
/// (`dotnet run --project bench/Fergan.PhotoBench -- calibrate-alignment --data fer2013.csv.gz`). Mapping a photo
/// face's box onto that box makes the crop's margin FER2013's. Scale comes from the box, not the eye distance,
/// because the eyes draw together as a face turns away while the box does not. Each face's box is first moved and
/// scaled by a linear map of its keypoints (<see cref="FerBox"/>), fitted to where FER2013's own crops put each
/// Training face; that made the crops closer to FER2013's and the classifier's reading of them better on faces the
/// fit never saw (docs/photos.md, "What the photo path costs").
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

    /// <summary>
    /// Faces rolled up to this many degrees are cut as they are. FER2013's faces are not levelled, and the classifier
    /// also trains with rotations of up to 10 degrees, so levelling such a face only moves it away from what the
    /// classifier learnt (it cost 0.3-3 points on FER2013's faces, docs/photos.md, "What the photo path costs"); a face rolled
    /// further is outside what it saw, and is levelled.
    /// </summary>
    public const float LevelBeyondDegrees = 20f;

    /// <summary>
    /// The map from a detection to FER2013's box: for the box centre's x and y offsets (in box widths) and the log of
    /// the width ratio, coefficients of the six keypoints' (x, y) relative to the box centre in box widths, then an
    /// intercept. Least squares on 27,839 FER2013 Training faces set in 640x480 frames at 80-300 px, auto detection
    /// (`dotnet run -c Release --project bench/Fergan.PhotoBench -- calibrate-box`); it cut the median error of the
    /// centre by 16 % (x) and 27 % (y) and of the width by 17 %.
    /// </summary>
    private static readonly double[][] FerBoxMap =
    [
        [0.07541, -0.05999, 0.03504, 0.00646, 0.05793, -0.00819, 0.09817, 0.02053, 0.18597, -0.03297, 0.17932, 0.06963, 0.01625],
        [0.08401, 0.06587, -0.02341, 0.02589, 0.00325, 0.14035, 0.01304, 0.10882, 0.14037, 0.19457, -0.10439, 0.19904, 0.16079],
        [0.41592, 0.18119, -0.41431, 0.14518, -0.00441, -0.48872, -0.03055, -0.47059, 0.12042, -0.22670, -0.26720, -0.18235, 0.53457],
    ];

    public static AlignedFace Align(SKBitmap photo, FaceDetection face)
    {
        var angle = Roll(face) is { } roll && Math.Abs(roll) > LevelBeyondDegrees ? roll : 0f;
        return new AlignedFace(Crop(photo, FerBox(face), angle), angle, angle != 0);
    }

    /// <summary>
    /// The roll of a frontal face from its eye line, in degrees; null where the face is turned too far for its eyes
    /// to give it (profile faces, swapped or upside-down eyes).
    /// </summary>
    public static float? Roll(FaceDetection face)
    {
        var right = face[FaceKeypoint.RightEye];
        var left = face[FaceKeypoint.LeftEye];
        var dx = left.X - right.X;
        var dy = left.Y - right.Y;
        var eyeDistance = MathF.Sqrt(dx * dx + dy * dy);
        // The subject's left eye is on the photo's right: dx > 0 for an upright face. A negative dx means the eyes
        // are swapped or the face is upside down or in profile; the box alone is safer then.
        var frontal = dx > 0 && eyeDistance >= MinEyeDistanceRatio * face.Box.Width;
        return frontal ? MathF.Atan2(dy, dx) * 180 / MathF.PI : null;
    }

    /// <summary>
    /// The box FER2013 would have cut this face with, estimated from the detector's box and keypoints by
    /// <paramref name="map"/> (default <see cref="FerBoxMap"/>; another map is for calibration experiments).
    /// </summary>
    public static BoxF FerBox(FaceDetection face, double[][]? map = null)
    {
        map ??= FerBoxMap;
        var box = face.Box;
        var features = BoxFeatures(face);
        double Predict(int target) => features.Zip(map[target], (f, c) => f * c).Sum();
        // A wild keypoint must not throw the crop far off: the map may move the box by a quarter of its width and
        // scale it by 0.67-1.5 at most (on FER2013's Training faces it needs far less).
        var dx = Math.Clamp(Predict(0), -0.25, 0.25) * box.Width;
        var dy = Math.Clamp(Predict(1), -0.25, 0.25) * box.Width;
        var width = (float)(box.Width * Math.Exp(Math.Clamp(Predict(2), -0.4, 0.4)));
        return new BoxF((float)(box.CenterX + dx) - width / 2, (float)(box.CenterY + dy) - width / 2, width, width);
    }

    /// <summary>What <see cref="FerBox"/>'s map reads: each keypoint's x and y relative to the box centre, in box widths, then 1.</summary>
    public static double[] BoxFeatures(FaceDetection face)
    {
        var box = face.Box;
        var features = new double[2 * face.Keypoints.Count + 1];
        for (var k = 0; k < face.Keypoints.Count; k++)
        {
            features[2 * k] = (face.Keypoints[k].X - box.CenterX) / (double)box.Width;
            features[2 * k + 1] = (face.Keypoints[k].Y - box.CenterY) / (double)box.Width;
        }
        features[^1] = 1;
        return features;
    }

    /// <summary>Samples the 48x48 face: photo -> rotate about the box centre by -angle -> scale the box to FER2013's.</summary>
    public static byte[] Crop(SKBitmap photo, BoxF box, float angleDegrees)
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
