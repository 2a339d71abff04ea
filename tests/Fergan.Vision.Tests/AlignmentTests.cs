using Fergan.Data;
using Fergan.Vision.Alignment;
using Fergan.Vision.Detection;
using SkiaSharp;

namespace Fergan.Vision.Tests;

public class AlignmentTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(25)]
    [InlineData(-40)]
    public void A_tilted_face_comes_out_with_level_eyes(float tiltDegrees)
    {
        // A drawn "face": white photo, two black eye dots tilted by tiltDegrees about the face centre.
        var center = new PointF(300, 200);
        var eyeOffset = 40f;
        var radians = tiltDegrees * MathF.PI / 180;
        var right = new PointF(center.X - eyeOffset * MathF.Cos(radians), center.Y - eyeOffset * MathF.Sin(radians));
        var left = new PointF(center.X + eyeOffset * MathF.Cos(radians), center.Y + eyeOffset * MathF.Sin(radians));
        using var photo = TestPhotos.Solid(600, 400, SKColors.White);
        using (var canvas = new SKCanvas(photo))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.DrawCircle(right.X, right.Y, 9, ink);
            canvas.DrawCircle(left.X, left.Y, 9, ink);
        }
        var box = new BoxF(center.X - 100, center.Y - 70, 200, 200);
        var detection = new FaceDetection(box, [right, left, center, center, center, center], 0.9f);

        var aligned = FaceAligner.Align(photo, detection);

        Assert.True(aligned.Rotated);
        Assert.Equal(tiltDegrees, aligned.AngleDegrees, 2);
        Assert.Equal(FaceImage.PixelCount, aligned.Pixels.Length);
        var (leftRow, rightRow) = (DarkestRow(aligned.Pixels, 0, 24), DarkestRow(aligned.Pixels, 24, 48));
        Assert.InRange(Math.Abs(leftRow - rightRow), 0, 1); // level to within a pixel
    }

    [Fact]
    public void A_profile_face_falls_back_to_the_plain_box()
    {
        using var photo = TestPhotos.Solid(300, 300, SKColors.Gray);
        var eyes = new PointF(150, 140); // both eyes nearly on top of each other: a face seen from the side
        var detection = new FaceDetection(new BoxF(100, 100, 100, 100), [eyes, new PointF(153, 142), eyes, eyes, eyes, eyes], 0.8f);
        var aligned = FaceAligner.Align(photo, detection);
        Assert.False(aligned.Rotated);
        Assert.Equal(0, aligned.AngleDegrees);
    }

    [Fact]
    public void A_face_at_the_photo_edge_continues_its_border_instead_of_black()
    {
        using var photo = TestPhotos.Solid(100, 100, new SKColor(180, 180, 180));
        var detection = new FaceDetection(new BoxF(-30, -30, 60, 60), Enumerable.Repeat(new PointF(0, 0), 6).ToArray(), 0.9f);
        var aligned = FaceAligner.Align(photo, detection);
        Assert.All(aligned.Pixels, p => Assert.InRange(p, 175, 185));
    }

    private static int DarkestRow(byte[] face, int fromColumn, int toColumn)
    {
        var best = (Row: 0, Sum: int.MaxValue);
        for (var y = 0; y < FaceImage.Size; y++)
        {
            var sum = 0;
            for (var x = fromColumn; x < toColumn; x++) sum += face[y * FaceImage.Size + x];
            if (sum < best.Sum) best = (y, sum);
        }
        return best.Row;
    }
}
