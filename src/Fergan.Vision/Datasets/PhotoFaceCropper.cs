using Fergan.Data.Imaging;
using Fergan.Vision.Alignment;
using Fergan.Vision.Detection;
using Fergan.Vision.Photos;

namespace Fergan.Vision.Datasets;

/// <summary>
/// Reads an image folder of labelled photos (`--find-faces`) the way `predict` reads a photo: decode (EXIF-upright),
/// detect with BlazeFace, align and crop to a FER2013-style 48x48 gray face. One face per photo, the largest, since a
/// labelled photo is labelled for its subject; a photo with no face found is a bad file like an unreadable one (it
/// stops the load, or is skipped and counted with skip-bad). So a folder of someone's own labelled photos can be
/// scored (`evaluate`), inspected (`data preview`) or trained on with the faces the classifier sees in `predict`.
/// Thread-safe: image folders crop their files in parallel.
/// </summary>
public sealed class PhotoFaceCropper : IFaceCropper, IDisposable
{
    /// <summary>Conversion counted for every photo read this way (the ingest report lists it).</summary>
    public const string FoundAndAligned = "face found (BlazeFace) and aligned";

    /// <summary>Conversion counted for photos with more than one face.</summary>
    public const string LargestOfSeveral = "several faces in the photo, the largest kept";

    private readonly BlazeFaceDetector _detector;
    private readonly bool _ownsDetector;

    public PhotoFaceCropper(BlazeFaceDetector detector, DetectionOptions? options = null, bool ownsDetector = false)
    {
        Options = options ?? new DetectionOptions();
        var problems = Options.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException($"invalid detection options: {string.Join("; ", problems)}.");
        }
        _detector = detector;
        _ownsDetector = ownsDetector;
    }

    /// <summary>
    /// BlazeFace from <c>&lt;models&gt;/blazeface</c> (default: the bundled models), one ONNX Runtime thread per
    /// photo: the folder reader already runs photos on every core.
    /// </summary>
    public static PhotoFaceCropper Load(DetectionOptions? options = null, string? models = null) =>
        new(new BlazeFaceDetector(Path.Combine(models ?? FerPipeline.BundledModels, "blazeface"), OnnxSessions.Quiet(1)), options, ownsDetector: true);

    public DetectionOptions Options { get; }

    /// <summary>
    /// Raised when detection or alignment changes what a photo gives (the name keys the parse cache, so crops made
    /// by an earlier Fergan are not reused). 1: close-ups re-boxed by the 128 px network; 2: FER2013's box estimated
    /// from BlazeFace's, eyes levelled only beyond 20 degrees (both 2026-11-27).
    /// </summary>
    public const int Version = 2;

    public string Name =>
        $"photo faces v{Version}: blazeface {Options.Detector.ToString().ToLowerInvariant()}, min score {Options.MinScore:0.###}, min face {Options.MinFace} px, largest face, aligned";

    public GrayFaceDecoder.Decoded? TryCrop(byte[] bytes, out string? problem)
    {
        problem = null;
        const string source = "photo";
        SkiaSharp.SKBitmap photo;
        try
        {
            photo = PhotoDecoder.Decode(bytes, source);
        }
        catch (PhotoException e)
        {
            // The folder reader names the file; the decoder's message names our placeholder instead.
            problem = e.Message.StartsWith(source + ": ", StringComparison.Ordinal) ? e.Message[(source.Length + 2)..] : e.Message;
            return null;
        }
        using (photo)
        {
            var faces = _detector.Detect(photo, Options);
            if (faces.Count == 0)
            {
                problem = $"no face found in the {photo.Width}x{photo.Height} photo (BlazeFace {Options.Detector.ToString().ToLowerInvariant()}, score at least {Options.MinScore:0.###}, at least {Options.MinFace} px wide).";
                return null;
            }
            var largest = faces.MaxBy(f => f.Box.Width * f.Box.Height)!;
            var aligned = FaceAligner.Align(photo, largest);
            IReadOnlyList<string> conversions = faces.Count > 1 ? [FoundAndAligned, LargestOfSeveral] : [FoundAndAligned];
            return new GrayFaceDecoder.Decoded(aligned.Pixels, conversions);
        }
    }

    public void Dispose()
    {
        if (_ownsDetector)
        {
            _detector.Dispose();
        }
    }
}
