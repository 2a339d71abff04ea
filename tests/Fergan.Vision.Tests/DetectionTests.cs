using Fergan.Data;
using Fergan.Vision.Alignment;
using Fergan.Vision.Detection;
using Fergan.Vision.Photos;
using SkiaSharp;

namespace Fergan.Vision.Tests;

public sealed class DetectionTests : IDisposable
{
    private readonly BlazeFaceDetector _detector = new(Path.Combine(FerPipeline.BundledModels, "blazeface"));

    [Fact]
    public void Finds_the_hand_counted_faces_of_the_sample_photos()
    {
        var expected = 0;
        var found = 0;
        foreach (var (file, count) in TestPhotos.FaceCounts)
        {
            using var photo = PhotoDecoder.Decode(Path.Combine(TestPhotos.Folder, file));
            var faces = _detector.Detect(photo);
            Assert.True(faces.Count <= count, $"{file}: {faces.Count} faces found, only {count} there (a false face)");
            expected += count;
            found += faces.Count;
        }
        // The photo issue's recall target is 0.95; these six photos gave 22 of 22 when the test was written (docs/photos.md).
        Assert.True(found >= 0.95 * expected, $"recall {found}/{expected}");
    }

    [Fact]
    public void A_face_that_fills_the_photo_gets_the_box_a_face_in_a_photo_gets()
    {
        // Each face of a sample photo cut out as FER2013 frames faces (the face is the whole picture), at 192 px. The
        // 256 px network, which `auto` runs first, boxed such crops about a quarter too narrow (31.6 px of 48 on
        // FER2013's faces, against 39-43 for either network on the same faces set in a photo), so the aligned face
        // came out zoomed in. The box must span FER2013's framing: FaceAligner's 42.8 of 48 px, within 15 %.
        using var photo = PhotoDecoder.Decode(TestPhotos.Path1);
        var faces = _detector.Detect(photo);
        Assert.NotEmpty(faces);
        foreach (var face in faces)
        {
            var side = face.Box.Width * FaceImage.Size / FaceAligner.FerBoxWidth;
            var left = face.Box.CenterX - side * FaceAligner.FerBoxCenterX / FaceImage.Size;
            var top = face.Box.CenterY - side * FaceAligner.FerBoxCenterY / FaceImage.Size;
            using var crop = new SKBitmap(new SKImageInfo(192, 192, SKColorType.Rgba8888, SKAlphaType.Opaque));
            using (var canvas = new SKCanvas(crop))
            using (var image = SKImage.FromBitmap(photo))
            {
                canvas.DrawImage(image, SKRect.Create(left, top, side, side), SKRect.Create(0, 0, 192, 192), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            }

            var found = _detector.Detect(crop);

            Assert.NotEmpty(found);
            var width = found.MaxBy(f => f.Box.Width)!.Box.Width * FaceImage.Size / 192f;
            Assert.InRange(width, 0.85f * FaceAligner.FerBoxWidth, 1.15f * FaceAligner.FerBoxWidth);
        }
    }

    [Fact]
    public void Boxes_and_keypoints_are_in_photo_pixels_and_in_face_order()
    {
        using var photo = PhotoDecoder.Decode(TestPhotos.Path1);
        var faces = _detector.Detect(photo);
        Assert.NotEmpty(faces);
        foreach (var face in faces)
        {
            Assert.InRange(face.Box.X, -face.Box.Width / 2, photo.Width);
            Assert.InRange(face.Box.Width, 20, photo.Width / 2f);
            Assert.InRange(face.Score, 0.6f, 1f);
            Assert.Equal(6, face.Keypoints.Count);
            // Eyes and mouth sit inside the box; the eyes above the mouth (these faces are upright enough).
            foreach (var k in new[] { FaceKeypoint.RightEye, FaceKeypoint.LeftEye, FaceKeypoint.Mouth })
            {
                Assert.InRange(face[k].X, face.Box.X, face.Box.X + face.Box.Width);
                Assert.InRange(face[k].Y, face.Box.Y, face.Box.Y + face.Box.Height);
            }
            Assert.True(face[FaceKeypoint.RightEye].Y < face[FaceKeypoint.Mouth].Y);
        }
        Assert.Equal(faces.OrderByDescending(f => f.Score), faces);
    }

    [Fact]
    public void A_photo_without_faces_gives_none()
    {
        using var wall = TestPhotos.Solid(640, 480, new SKColor(200, 180, 160));
        Assert.Empty(_detector.Detect(wall));
    }

    [Fact]
    public void Faces_are_found_wherever_the_letterbox_puts_them()
    {
        // The same photo padded to very wide and very tall shapes: letterboxing must map boxes back correctly.
        using var photo = PhotoDecoder.Decode(TestPhotos.Path1);
        var reference = _detector.Detect(photo).OrderBy(f => f.Box.X).ToList();
        using var wide = Pad(photo, photo.Width, photo.Height * 2);
        var moved = _detector.Detect(wide).OrderBy(f => f.Box.X).ToList();
        Assert.Equal(reference.Count, moved.Count);
        for (var i = 0; i < reference.Count; i++)
        {
            // Padding shifts nothing (the photo sits at the top-left); the network sees it smaller, so allow 15%.
            Assert.InRange(moved[i].Box.CenterX, reference[i].Box.CenterX - 0.15f * reference[i].Box.Width, reference[i].Box.CenterX + 0.15f * reference[i].Box.Width);
            Assert.InRange(moved[i].Box.CenterY, reference[i].Box.CenterY - 0.15f * reference[i].Box.Height, reference[i].Box.CenterY + 0.15f * reference[i].Box.Height);
        }
    }

    [Fact]
    public void Min_face_and_max_faces_filter_and_cap()
    {
        using var photo = PhotoDecoder.Decode(Path.Combine(TestPhotos.Folder, "sample5.jpg"));
        Assert.Equal(2, _detector.Detect(photo, new DetectionOptions { MaxFaces = 2 }).Count);
        Assert.Empty(_detector.Detect(photo, new DetectionOptions { MinFace = photo.Width }));
    }

    [Fact]
    public void Weighted_suppression_blends_overlapping_candidates_and_keeps_separate_ones()
    {
        PointF[] Points(float x) => Enumerable.Repeat(new PointF(x, 0), 6).ToArray();
        var candidates = new[]
        {
            new FaceDetection(new BoxF(0, 0, 10, 10), Points(0), 0.9f),
            new FaceDetection(new BoxF(2, 0, 10, 10), Points(2), 0.6f),   // IoU 0.67 with the first: blended into it
            new FaceDetection(new BoxF(50, 50, 10, 10), Points(50), 0.7f), // far away: its own face
        };
        var faces = BlazeFaceDetector.WeightedSuppression(candidates);
        Assert.Equal(2, faces.Count);
        Assert.Equal(0.9f, faces[0].Score);
        Assert.Equal(0.8f, faces[0].Box.X, 3); // (0 * 0.9 + 2 * 0.6) / 1.5
        Assert.Equal(0.8f, faces[0].Keypoints[3].X, 3);
        Assert.Equal(50f, faces[1].Box.X);
    }

    private static SKBitmap Pad(SKBitmap photo, int width, int height)
    {
        var padded = TestPhotos.Solid(width, height, SKColors.Black);
        using var canvas = new SKCanvas(padded);
        using var image = SKImage.FromBitmap(photo);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        return padded;
    }

    public void Dispose() => _detector.Dispose();
}
