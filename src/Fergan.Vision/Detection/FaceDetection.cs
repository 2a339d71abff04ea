namespace Fergan.Vision.Detection;

/// <summary>A point in photo pixels.</summary>
public readonly record struct PointF(float X, float Y);

/// <summary>An axis-aligned box in photo pixels: top-left corner and size.</summary>
public readonly record struct BoxF(float X, float Y, float Width, float Height)
{
    public float CenterX => X + Width / 2;
    public float CenterY => Y + Height / 2;
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    public float IntersectionOverUnion(BoxF other)
    {
        var left = Math.Max(X, other.X);
        var top = Math.Max(Y, other.Y);
        var right = Math.Min(X + Width, other.X + other.Width);
        var bottom = Math.Min(Y + Height, other.Y + other.Height);
        var inner = Math.Max(0, right - left) * Math.Max(0, bottom - top);
        var union = Area + other.Area - inner;
        return union <= 0 ? 0 : inner / union;
    }
}

/// <summary>BlazeFace's six keypoints, in its order. "Right" is the subject's right (the left side of the photo).</summary>
public enum FaceKeypoint
{
    RightEye = 0,
    LeftEye = 1,
    NoseTip = 2,
    Mouth = 3,
    RightEar = 4,
    LeftEar = 5,
}

/// <summary>One detected face: box and <see cref="FaceKeypoint"/>s in photo pixels, and the detector's confidence.</summary>
public sealed record FaceDetection(BoxF Box, IReadOnlyList<PointF> Keypoints, float Score)
{
    public PointF this[FaceKeypoint keypoint] => Keypoints[(int)keypoint];
}
