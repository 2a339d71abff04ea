namespace Fergan.Data.Synthetic;

/// <summary>
/// Draws one cartoon face with anti-aliased signed-distance shapes. The emotion sets the expression
/// (brow slant and height, eye opening, mouth curve or opening); the seed sets everything else (pose,
/// size, tones, lighting, noise), so the class is in the shapes, not in incidental statistics.
/// </summary>
internal static class FaceSketch
{
    /// <summary>Expression parameters in units of the face radii (v grows downwards).</summary>
    private sealed record Expression(
        double BrowInner, double BrowOuter, double EyeOpen,
        double MouthCurve, double MouthWidth, double MouthOpen, double MouthTilt, bool NoseWrinkle);

    private static readonly Expression[] Expressions =
    [
        /* Angry    */ new(BrowInner: +0.13, BrowOuter: -0.05, EyeOpen: 0.035, MouthCurve: +0.05, MouthWidth: 0.28, MouthOpen: 0, MouthTilt: 0, NoseWrinkle: false),
        /* Disgust  */ new(BrowInner: +0.07, BrowOuter: +0.02, EyeOpen: 0.035, MouthCurve: +0.06, MouthWidth: 0.34, MouthOpen: 0, MouthTilt: 0.12, NoseWrinkle: true),
        /* Fear     */ new(BrowInner: -0.14, BrowOuter: -0.04, EyeOpen: 0.10, MouthCurve: 0, MouthWidth: 0.36, MouthOpen: 0.09, MouthTilt: 0, NoseWrinkle: false),
        /* Happy    */ new(BrowInner: 0, BrowOuter: 0, EyeOpen: 0.05, MouthCurve: -0.20, MouthWidth: 0.42, MouthOpen: 0, MouthTilt: 0, NoseWrinkle: false),
        /* Sad      */ new(BrowInner: -0.10, BrowOuter: +0.07, EyeOpen: 0.045, MouthCurve: +0.16, MouthWidth: 0.34, MouthOpen: 0, MouthTilt: 0, NoseWrinkle: false),
        /* Surprise */ new(BrowInner: -0.16, BrowOuter: -0.16, EyeOpen: 0.11, MouthCurve: 0, MouthWidth: 0.15, MouthOpen: 0.21, MouthTilt: 0, NoseWrinkle: false),
        /* Neutral  */ new(BrowInner: 0, BrowOuter: 0, EyeOpen: 0.06, MouthCurve: 0, MouthWidth: 0.34, MouthOpen: 0, MouthTilt: 0, NoseWrinkle: false),
    ];

    public static byte[] Draw(Emotion emotion, int seed)
    {
        var rng = new Random(seed);
        double J(double spread) => (rng.NextDouble() * 2 - 1) * spread; // uniform jitter
        var e = Expressions[(int)emotion];

        var cx = 24 + J(2.5);
        var cy = 25 + J(2.5);
        var rx = 16.5 + J(2);
        var ry = 20.5 + J(2);
        var angle = J(0.17); // about +-10 degrees
        var (sin, cos) = Math.SinCos(angle);
        var background = 25 + rng.NextDouble() * 170;
        var skin = background < 110 ? background + 60 + rng.NextDouble() * 60 : background - 60 - rng.NextDouble() * 40;
        var ink = skin * (0.25 + rng.NextDouble() * 0.15);
        var light = J(0.25); // left-right lighting gradient
        var noise = 3 + rng.NextDouble() * 5;

        // Expression with per-face variation, so no two faces of a class are identical.
        var browInner = e.BrowInner + J(0.03);
        var browOuter = e.BrowOuter + J(0.03);
        var browY = -0.36 + J(0.03);
        var eyeOpen = Math.Max(0.02, e.EyeOpen + J(0.012));
        var mouthCurve = e.MouthCurve + J(0.03);
        var mouthWidth = e.MouthWidth + J(0.04);
        var mouthOpen = e.MouthOpen > 0 ? e.MouthOpen + J(0.02) : 0;
        var mouthY = 0.46 + J(0.04);
        var tiltSign = rng.Next(2) == 0 ? -1 : 1;

        var pixels = new byte[FaceImage.PixelCount];
        for (var py = 0; py < FaceImage.Size; py++)
        {
            for (var px = 0; px < FaceImage.Size; px++)
            {
                // Face-local frame: rotate the pixel into the upright face; x, y in pixels from the centre.
                var dx = px + 0.5 - cx;
                var dy = py + 0.5 - cy;
                var x = cos * dx + sin * dy;
                var y = -sin * dx + cos * dy;

                var faceCover = Cover(EllipseDistance(x, y, rx, ry));
                var features = 0.0;
                foreach (var side in (ReadOnlySpan<int>)[-1, 1])
                {
                    // Eyes.
                    features = Math.Max(features, Cover(EllipseDistance(x - side * 0.38 * rx, y + 0.12 * ry, 0.13 * rx, eyeOpen * ry)));
                    // Brows: a thick segment from inner to outer end.
                    var inner = (X: side * 0.14 * rx, Y: (browY + browInner) * ry);
                    var outer = (X: side * 0.62 * rx, Y: (browY + browOuter) * ry);
                    features = Math.Max(features, Cover(SegmentDistance(x, y, inner, outer) - 1.1));
                }
                // Nose, and the wrinkles of disgust beside it.
                features = Math.Max(features, 0.5 * Cover(SegmentDistance(x, y, (0, -0.02 * ry), (0, 0.2 * ry)) - 0.5));
                if (e.NoseWrinkle)
                {
                    foreach (var side in (ReadOnlySpan<int>)[-1, 1])
                    {
                        features = Math.Max(features, 0.8 * Cover(SegmentDistance(x, y, (side * 0.1 * rx, 0.08 * ry), (side * 0.22 * rx, 0.2 * ry)) - 0.5));
                    }
                }
                // Mouth: an open ellipse, or a curved line (parabola through the corners, optionally tilted).
                // Pixels far from the mouth's box cannot be covered; skipping them keeps generation fast.
                var nearMouth = Math.Abs(x) <= mouthWidth * rx + 2
                                && Math.Abs(y - mouthY * ry) <= (Math.Abs(mouthCurve) + e.MouthTilt + mouthOpen) * ry + 3;
                if (nearMouth)
                {
                    var mouth = mouthOpen > 0
                        ? EllipseDistance(x, y - mouthY * ry, mouthWidth * rx, mouthOpen * ry)
                        : CurveDistance(x, y, mouthWidth * rx, mouthY * ry, mouthCurve * ry, tiltSign * e.MouthTilt * ry) - 1.0;
                    features = Math.Max(features, Cover(mouth));
                }

                var shade = skin * (1 + light * x / rx);
                var value = background + faceCover * (shade - background);
                value += faceCover * features * (ink - value);
                value += Gaussian(rng) * noise;
                pixels[py * FaceImage.Size + px] = (byte)Math.Clamp(Math.Round(value), 0, 255);
            }
        }
        return pixels;
    }

    /// <summary>Anti-aliased coverage from a signed distance in pixels (1 inside, 0 outside, a 1-px ramp).</summary>
    private static double Cover(double distance) => Math.Clamp(0.5 - distance, 0, 1);

    /// <summary>Approximate signed distance to an axis-aligned ellipse centred at the origin.</summary>
    private static double EllipseDistance(double x, double y, double a, double b)
    {
        var k = Math.Sqrt(x * x / (a * a) + y * y / (b * b));
        return (k - 1) * Math.Min(a, b);
    }

    private static double SegmentDistance(double x, double y, (double X, double Y) p, (double X, double Y) q)
    {
        var (vx, vy) = (q.X - p.X, q.Y - p.Y);
        var t = Math.Clamp(((x - p.X) * vx + (y - p.Y) * vy) / (vx * vx + vy * vy), 0, 1);
        var (ex, ey) = (x - p.X - t * vx, y - p.Y - t * vy);
        return Math.Sqrt(ex * ex + ey * ey);
    }

    /// <summary>Distance to the mouth curve y = y0 + curve*u^2 + tilt*u, u = x/halfWidth in [-1, 1], as a polyline.</summary>
    private static double CurveDistance(double x, double y, double halfWidth, double y0, double curve, double tilt)
    {
        const int Segments = 10;
        var best = double.MaxValue;
        (double X, double Y) Point(int k)
        {
            var u = -1 + 2.0 * k / Segments;
            // Corners sit at y0 + curve: a negative curve lifts the corners (smile), a positive one drops them.
            return (u * halfWidth, y0 + curve * u * u + tilt * u);
        }
        var previous = Point(0);
        for (var k = 1; k <= Segments; k++)
        {
            var next = Point(k);
            best = Math.Min(best, SegmentDistance(x, y, previous, next));
            previous = next;
        }
        return best;
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
