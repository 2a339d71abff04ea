using System.Text.Json;
using Fergan.Data;
using Fergan.Vision.Classification;
using Fergan.Vision.Photos;
using SkiaSharp;

namespace Fergan.Vision.Tests;

public sealed class PipelineTests : IDisposable
{
    private readonly FerPipeline _pipeline = FerPipeline.Load();

    [Fact]
    public void The_bundled_models_label_every_face_of_a_photo()
    {
        var prediction = _pipeline.Predict(File.ReadAllBytes(TestPhotos.Path1), new PredictOptions { TopK = 2 });
        Assert.Equal(TestPhotos.FaceCounts["sample1.jpg"], prediction.Faces.Count);
        foreach (var face in prediction.Faces)
        {
            Assert.Equal(Emotions.Count, face.Probabilities.Count);
            Assert.Equal(1f, face.Probabilities.Values.Sum(), 3);
            Assert.Equal(face.Probabilities.MaxBy(p => p.Value).Key, face.Emotion);
            Assert.Equal(2, face.Top.Count);
            Assert.Equal(face.Emotion, face.Top[0]);
        }
        // All three people in sample1 smile broadly; a working classifier must see at least two of them as happy.
        Assert.True(prediction.Faces.Count(f => f.Emotion == Emotion.Happy) >= 2,
            string.Join(", ", prediction.Faces.Select(f => f.Emotion)));
    }

    [Fact]
    public void Json_has_the_documented_shape()
    {
        var prediction = _pipeline.Predict(File.ReadAllBytes(TestPhotos.Path1));
        var json = JsonSerializer.Serialize(ImageJson.From("sample1.jpg", prediction));
        using var document = JsonDocument.Parse(json);
        var face = document.RootElement.GetProperty("faces")[0];
        Assert.Equal(4, face.GetProperty("box").GetArrayLength());
        Assert.Equal(6, face.GetProperty("keypoints").GetArrayLength());
        Assert.True(Emotions.TryParse(face.GetProperty("emotion").GetString()!, out _));
        Assert.Equal(Emotions.Names.Order(), face.GetProperty("probabilities").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("sample1.jpg", document.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public void Ten_crop_tta_stays_close_to_the_plain_prediction()
    {
        var plain = _pipeline.Predict(File.ReadAllBytes(TestPhotos.Path1));
        var tta = _pipeline.Predict(File.ReadAllBytes(TestPhotos.Path1), new PredictOptions { Tta = true });
        Assert.Equal(plain.Faces.Count, tta.Faces.Count);
        for (var i = 0; i < plain.Faces.Count; i++)
        {
            foreach (var e in Emotions.All)
            {
                Assert.InRange(tta.Faces[i].Probabilities[e] - plain.Faces[i].Probabilities[e], -0.25f, 0.25f);
            }
        }
        Assert.NotEqual(plain.Faces[0].Probabilities[Emotion.Happy], tta.Faces[0].Probabilities[Emotion.Happy]);
    }

    [Fact]
    public void A_crowd_of_a_hundred_and_more_faces_is_bounded_by_max_faces()
    {
        // 12 x 10 copies of one face: the pipeline must finish quickly and return at most max-faces faces.
        using var source = PhotoDecoder.Decode(TestPhotos.Path1);
        var face = _pipeline.Predict(source).Faces[0].Box;
        var tile = (int)(face.Width * 1.4f);
        using var crowd = TestPhotos.Solid(12 * tile, 10 * tile, SKColors.Gray);
        using (var canvas = new SKCanvas(crowd))
        using (var image = SKImage.FromBitmap(source))
        {
            var from = SKRect.Create(face.CenterX - tile / 2f, face.CenterY - tile / 2f, tile, tile);
            for (var y = 0; y < 10; y++)
            for (var x = 0; x < 12; x++)
                canvas.DrawImage(image, from, SKRect.Create(x * tile, y * tile, tile, tile), new SKSamplingOptions(SKFilterMode.Linear));
        }
        var options = new PredictOptions { Detection = new() { MaxFaces = 50, MinFace = 0 } };
        var prediction = _pipeline.Predict(crowd, options);
        Assert.InRange(prediction.Faces.Count, 1, 50);
    }

    [Fact]
    public void Large_batches_are_split_without_changing_any_face_s_result()
    {
        // 70 faces (over one 64-face call) and 9 with TTA (over one 6-face call): the same numbers as one at a time.
        var random = new Random(5);
        var faces = Enumerable.Range(0, 70).Select(_ => { var f = new byte[FaceImage.PixelCount]; random.NextBytes(f); return f; }).ToList();
        var together = _pipeline.Classifier.Predict(faces);
        var tta = _pipeline.Classifier.Predict(faces.Take(9).ToList(), tta: true);
        foreach (var i in new[] { 0, 63, 64, 69 })
        {
            Assert.Equal(_pipeline.Classifier.Predict([faces[i]])[0], together[i], new ToleranceComparer(1e-5f));
        }
        Assert.Equal(_pipeline.Classifier.Predict([faces[8]], tta: true)[0], tta[8], new ToleranceComparer(1e-5f));
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float value) => 0;
    }

    [Fact]
    public void Invalid_options_are_reported_by_name()
    {
        using var photo = TestPhotos.Solid(64, 64, SKColors.Gray);
        var e = Assert.Throws<FerganException>(() => _pipeline.Predict(photo, new PredictOptions { TopK = 9, Detection = new() { MinScore = 2 } }));
        Assert.Contains("top-k", e.Message);
        Assert.Contains("min-score", e.Message);
    }

    [Fact]
    public void A_missing_or_foreign_classifier_file_is_a_clear_error()
    {
        using var temp = new Fergan.Tests.TempDirectory();
        Assert.Contains("does not exist", Assert.Throws<FerganException>(() => new OnnxEmotionClassifier(temp.File("none.onnx"))).Message);
        var blazeface = Path.Combine(FerPipeline.BundledModels, "blazeface", "face_detection_front_128x128_barracuda.onnx");
        Assert.Contains("not a Fergan classifier", Assert.Throws<FerganException>(() => new OnnxEmotionClassifier(blazeface)).Message);
        var junk = temp.Write("junk.onnx", "not a model"u8.ToArray());
        Assert.Contains("not a model ONNX Runtime can load", Assert.Throws<FerganException>(() => new OnnxEmotionClassifier(junk)).Message);
    }

    /// <summary>`predict --model runs/vgg` on a `fergan train` folder: the message gives that folder's export command.</summary>
    [Fact]
    public void A_trained_folder_without_its_export_gets_the_export_command_for_that_folder()
    {
        using var temp = new Fergan.Tests.TempDirectory();
        var run = Directory.CreateDirectory(temp.File("run")).FullName;
        File.WriteAllText(Path.Combine(run, "classifier.json"), "{}");
        var onnx = Path.Combine(run, OnnxEmotionClassifier.ModelFile);

        var message = Assert.Throws<FerganException>(() => new OnnxEmotionClassifier(onnx)).Message;

        Assert.Contains($"{run} holds a trained classifier", message);
        Assert.Contains($"`fergan export onnx --model {run} --out {onnx}`", message);
    }

    public void Dispose() => _pipeline.Dispose();
}
