using Fergan.Data;
using Fergan.Vision.Alignment;
using Fergan.Vision.Annotation;
using Fergan.Vision.Classification;
using Fergan.Vision.Detection;
using Fergan.Vision.Photos;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Fergan.Vision;

/// <summary>What `predict`, the web API and <see cref="FerPipeline.Predict(byte[], PredictOptions?)"/> accept.</summary>
public sealed record PredictOptions
{
    public DetectionOptions Detection { get; init; } = new();

    /// <summary>Ten-crop test-time augmentation of each face (about 0.5 points more accurate, ten times the classifier work).</summary>
    public bool Tta { get; init; }

    /// <summary>How many emotions each face lists in <see cref="FacePrediction.Top"/>, most probable first.</summary>
    public int TopK { get; init; } = 3;

    public PhotoLimits Limits { get; init; } = PhotoLimits.Default;

    public IReadOnlyList<string> Validate()
    {
        var errors = Detection.Validate().ToList();
        if (TopK is < 1 or > 7) errors.Add($"top-k must be between 1 and {Emotions.Count} (got {TopK})");
        return errors;
    }
}

/// <summary>One face in a photo: where (photo pixels), its keypoints, the detector's confidence and the emotions.</summary>
public sealed record FacePrediction(
    BoxF Box,
    IReadOnlyList<PointF> Keypoints,
    float DetectionScore,
    Emotion Emotion,
    IReadOnlyDictionary<Emotion, float> Probabilities,
    IReadOnlyList<Emotion> Top,
    AlignedFace Aligned);

/// <summary>Every face of one photo, with the photo's upright size.</summary>
public sealed record PhotoPrediction(int Width, int Height, IReadOnlyList<FacePrediction> Faces);

/// <summary>
/// The photo pipeline: decode (EXIF-upright) -> detect (BlazeFace) -> align (level the eyes, FER2013's framing,
/// 48x48 gray) -> classify (the exported classifier on ONNX Runtime). No libtorch anywhere.
/// Thread-safe and meant to be shared: load once, predict from many threads.
/// </summary>
/// <example>
/// <code>
/// using var fer = FerPipeline.Load();                    // the bundled models
/// var photo = fer.Predict(File.ReadAllBytes("group.jpg"));
/// foreach (var face in photo.Faces) Console.WriteLine($"{face.Box}: {face.Emotion}");
/// </code>
/// </example>
public sealed class FerPipeline : IDisposable
{
    private readonly BlazeFaceDetector _detector;
    private readonly OnnxEmotionClassifier _classifier;

    public FerPipeline(BlazeFaceDetector detector, OnnxEmotionClassifier classifier)
    {
        _detector = detector;
        _classifier = classifier;
    }

    /// <summary>The models folder next to the program (models/ of the repository, copied at build time).</summary>
    public static string BundledModels => System.IO.Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>
    /// Loads BlazeFace from <c>models/blazeface</c> and the classifier from <paramref name="classifier"/> (a .onnx
    /// file or a folder holding classifier.onnx; default: the bundled one). <paramref name="threadsPerPhoto"/> caps
    /// ONNX Runtime's threads per call (0: its default, every core); set 1 when photos run in parallel, so threads
    /// do not fight over cores.
    /// </summary>
    public static FerPipeline Load(string? classifier = null, string? models = null, int threadsPerPhoto = 0)
    {
        models ??= BundledModels;
        var classifierPath = classifier ?? System.IO.Path.Combine(models, "classifier", OnnxEmotionClassifier.ModelFile);
        if (Directory.Exists(classifierPath))
        {
            classifierPath = System.IO.Path.Combine(classifierPath, OnnxEmotionClassifier.ModelFile);
        }
        var onnx = new OnnxEmotionClassifier(classifierPath, OnnxSessions.Quiet(threadsPerPhoto));
        return new FerPipeline(new BlazeFaceDetector(System.IO.Path.Combine(models, "blazeface"), OnnxSessions.Quiet(threadsPerPhoto)), onnx);
    }

    public OnnxEmotionClassifier Classifier => _classifier;

    public PhotoPrediction Predict(byte[] image, PredictOptions? options = null, string source = "image")
    {
        options ??= new PredictOptions();
        using var photo = PhotoDecoder.Decode(image, source, options.Limits);
        return Predict(photo, options);
    }

    /// <summary>Runs detection, alignment and classification on an upright RGBA photo.</summary>
    public PhotoPrediction Predict(SKBitmap photo, PredictOptions? options = null)
    {
        options ??= new PredictOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException($"invalid options: {string.Join("; ", problems)}.");
        }
        var detections = _detector.Detect(photo, options.Detection);
        var aligned = detections.Select(d => FaceAligner.Align(photo, d)).ToList();
        var probabilities = _classifier.Predict(aligned.Select(a => a.Pixels).ToList(), options.Tta);
        var faces = new List<FacePrediction>(detections.Count);
        for (var i = 0; i < detections.Count; i++)
        {
            var byEmotion = _classifier.Emotions.Select((e, c) => (e, p: probabilities[i][c])).ToDictionary(x => x.e, x => x.p);
            var ranked = byEmotion.OrderByDescending(x => x.Value).Select(x => x.Key).ToList();
            faces.Add(new FacePrediction(detections[i].Box, detections[i].Keypoints, detections[i].Score, ranked[0], byEmotion, ranked.Take(options.TopK).ToList(), aligned[i]));
        }
        return new PhotoPrediction(photo.Width, photo.Height, faces);
    }

    /// <summary>The photo with a labelled box per face ("happy 87%"), colour-coded by emotion.</summary>
    public static SKBitmap Annotate(SKBitmap photo, PhotoPrediction prediction) =>
        PhotoAnnotator.Draw(photo, prediction.Faces.Select(f => new FaceAnnotation(
            f.Box, $"{f.Emotion.Name()} {f.Probabilities[f.Emotion]:P0}", f.Keypoints, EmotionColors.Of(f.Emotion))));

    public void Dispose()
    {
        _detector.Dispose();
        _classifier.Dispose();
    }
}
