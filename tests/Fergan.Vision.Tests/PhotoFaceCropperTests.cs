using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Tests;
using Fergan.Vision.Alignment;
using Fergan.Vision.Datasets;
using Fergan.Vision.Detection;
using Fergan.Vision.Photos;
using SkiaSharp;

namespace Fergan.Vision.Tests;

/// <summary>`--find-faces`: an image folder of labelled photos read as the faces `predict` would classify.</summary>
public sealed class PhotoFaceCropperTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly PhotoFaceCropper _cropper = PhotoFaceCropper.Load();

    private DatasetOptions Options(bool skipBad = false) =>
        new() { FaceCropper = _cropper, SkipBad = skipBad, CacheDirectory = _temp.File("cache") };

    [Fact]
    public void A_labelled_photo_becomes_the_aligned_largest_face_the_photo_pipeline_sees()
    {
        _temp.Write("photos/test/happy/group.jpg", File.ReadAllBytes(TestPhotos.Path1));

        var faces = DatasetLoader.Load(_temp.File("photos"), Options()).Faces;

        Assert.Equal(1, faces.Count);
        Assert.Equal(Emotion.Happy, faces.Label(0));
        Assert.Equal(DataSplit.PrivateTest, faces.Split(0));
        using var photo = PhotoDecoder.Decode(TestPhotos.Path1);
        using var detector = new BlazeFaceDetector(Path.Combine(FerPipeline.BundledModels, "blazeface"));
        var detections = detector.Detect(photo);
        Assert.True(detections.Count > 1, "the sample photo is a group photo");
        var largest = FaceAligner.Align(photo, detections.MaxBy(d => d.Box.Width * d.Box.Height)!);
        Assert.Equal(largest.Pixels, faces.Pixels(0).ToArray());
        Assert.Equal(1, faces.Provenance.Conversions[PhotoFaceCropper.FoundAndAligned]);
        Assert.Equal(1, faces.Provenance.Conversions[PhotoFaceCropper.LargestOfSeveral]);
    }

    [Fact]
    public void A_photo_without_a_face_is_named_and_stops_the_load_unless_bad_files_are_skipped()
    {
        _temp.Write("photos/test/happy/group.jpg", File.ReadAllBytes(TestPhotos.Path1));
        using (var wall = TestPhotos.Solid(320, 240, new SKColor(120, 130, 140)))
        {
            _temp.Write("photos/test/sad/wall.png", TestPhotos.Encode(wall));
        }

        var error = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(_temp.File("photos"), Options()));
        var skipped = DatasetLoader.Load(_temp.File("photos"), Options(skipBad: true)).Faces;

        Assert.Contains("wall.png", error.Message);
        Assert.Contains("no face found in the 320x240 photo", error.Message);
        Assert.Equal(1, skipped.Count);
        Assert.Equal(1, skipped.Provenance.SkippedRecords);
    }

    [Fact]
    public void Found_faces_and_centre_crops_of_the_same_folder_are_cached_apart()
    {
        _temp.Write("photos/test/happy/group.jpg", File.ReadAllBytes(TestPhotos.Path1));
        var folder = _temp.File("photos");

        var centre = DatasetLoader.Load(folder, Options() with { FaceCropper = null });
        var found = DatasetLoader.Load(folder, Options());
        var foundAgain = DatasetLoader.Load(folder, Options());

        Assert.NotEqual(centre.Faces.Pixels(0).ToArray(), found.Faces.Pixels(0).ToArray());
        Assert.True(foundAgain.FromCache);
        Assert.Equal(found.Faces.Pixels(0).ToArray(), foundAgain.Faces.Pixels(0).ToArray());
    }

    [Fact]
    public void A_source_of_48x48_faces_refuses_a_face_finder()
    {
        var error = Assert.Throws<FerganException>(() => DatasetLoader.Load("synthetic:70:1", Options()));
        Assert.Contains("image folders", error.Message);
    }

    public void Dispose()
    {
        _cropper.Dispose();
        _temp.Dispose();
    }
}
