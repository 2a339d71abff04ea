using Fergan.Data;
using Fergan.Vision.Generation;

namespace Fergan.Vision.Tests;

public sealed class GeneratorTests : IDisposable
{
    private readonly OnnxFaceGenerator _generator = new(Path.Combine(FerPipeline.BundledModels, "gan"));

    [Fact]
    public void The_bundled_generator_draws_reproducible_faces()
    {
        var faces = _generator.Sample(Emotion.Disgust, 5, seed: 3);
        Assert.Equal(5, faces.Count);
        Assert.All(faces, f => Assert.Equal(FaceImage.PixelCount, f.Length));
        Assert.Equal(faces, _generator.Sample(Emotion.Disgust, 5, seed: 3));
        Assert.NotEqual(faces[0], _generator.Sample(Emotion.Disgust, 1, seed: 4)[0]);
        Assert.True(faces[0].Max() - faces[0].Min() > 50, "a face has contrast, not a flat image");
    }

    [Fact]
    public void Truncation_keeps_faces_valid_and_bad_requests_are_named()
    {
        Assert.Equal(3, _generator.Sample(Emotion.Happy, 3, truncation: 0.5).Count);
        Assert.Contains("count", Assert.Throws<FerganException>(() => _generator.Sample(Emotion.Happy, 0)).Message);
        Assert.Contains("truncation", Assert.Throws<FerganException>(() => _generator.Sample(Emotion.Happy, 1, truncation: 0)).Message);
        Assert.Contains("gan-onnx", Assert.Throws<FerganException>(() => new OnnxFaceGenerator("/nowhere/generator.onnx")).Message);
    }

    public void Dispose() => _generator.Dispose();
}
