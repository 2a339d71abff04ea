using Fergan.Data;
using Fergan.Vision.Alignment;
using Fergan.Vision.Detection;
using SkiaSharp;

namespace Fergan.Vision.Tests;

public class AlignmentTests
{
    [Theory]
    [InlineData(25)]
    [InlineData(-40)]
    public void A_face_rolled_beyond_what_the_classifier_saw_comes_out_with_level_eyes(float tiltDegrees)
    {
        var (photo, detection) = DrawnFace(tiltDegrees);
        using (photo)
        {
            var aligned = FaceAligner.Align(photo, detection);

            Assert.True(aligned.Rotated);
            Assert.Equal(tiltDegrees, aligned.AngleDegrees, 2);
            Assert.Equal(FaceImage.PixelCount, aligned.Pixels.Length);
            var (leftRow, rightRow) = (DarkestRow(aligned.Pixels, 0, 24), DarkestRow(aligned.Pixels, 24, 48));
            Assert.InRange(Math.Abs(leftRow - rightRow), 0, 1); // level to within a pixel
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(-19)]
    public void A_face_rolled_as_little_as_fer2013_faces_are_cut_as_it_is(float tiltDegrees)
    {
        // FER2013's faces are not levelled and the classifier trains with 10-degree rotations: levelling such a face
        // only moves it away from what the classifier learnt.
        var (photo, detection) = DrawnFace(tiltDegrees);
        using (photo)
        {
            var aligned = FaceAligner.Align(photo, detection);

            Assert.False(aligned.Rotated);
            Assert.Equal(0, aligned.AngleDegrees);
            Assert.Equal(tiltDegrees, FaceAligner.Roll(detection)!.Value, 2);
        }
    }

    [Fact]
    public void The_estimated_fer2013_box_stays_near_the_detector_box_whatever_the_keypoints()
    {
        // A detection whose keypoints are all at one far corner: the map must not throw the crop off the face.
        var box = new BoxF(100, 100, 200, 200);
        var wild = new FaceDetection(box, Enumerable.Repeat(new PointF(1000, -800), 6).ToArray(), 0.9f);

        var estimated = FaceAligner.FerBox(wild);

        Assert.InRange(estimated.CenterX, box.CenterX - 0.25f * box.Width - 0.01f, box.CenterX + 0.25f * box.Width + 0.01f);
        Assert.InRange(estimated.CenterY, box.CenterY - 0.25f * box.Width - 0.01f, box.CenterY + 0.25f * box.Width + 0.01f);
        Assert.InRange(estimated.Width, box.Width / 1.5f, box.Width * 1.5f);
    }

    /// <summary>
    /// A drawn "face" on a white photo: two black eye dots tilted by tiltDegrees about the face centre, the nose,
    /// mouth and ears where BlazeFace puts them on an upright face, turned with it.
    /// </summary>
    private static (SKBitmap Photo, FaceDetection Detection) DrawnFace(float tiltDegrees)
    {
        var center = new PointF(300, 200);
        var radians = tiltDegrees * MathF.PI / 180;
        PointF At(float x, float y) => new(center.X + x * MathF.Cos(radians) - y * MathF.Sin(radians), center.Y + x * MathF.Sin(radians) + y * MathF.Cos(radians));
        var (right, left) = (At(-40, 0), At(40, 0));
        var photo = TestPhotos.Solid(600, 400, SKColors.White);
        using (var canvas = new SKCanvas(photo))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.DrawCircle(right.X, right.Y, 9, ink);
            canvas.DrawCircle(left.X, left.Y, 9, ink);
        }
        var box = new BoxF(center.X - 100, center.Y - 70, 200, 200);
        return (photo, new FaceDetection(box, [right, left, At(0, 40), At(0, 75), At(-90, 10), At(90, 10)], 0.9f));
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
