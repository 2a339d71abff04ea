using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;

namespace Fergan.Vision.Detection;

/// <summary>Which BlazeFace network runs.</summary>
public enum FaceDetectorModel
{
    /// <summary>The 256 px network first (it sees small faces); the 128 px one when that finds nothing.</summary>
    Auto,

    /// <summary>The 128 px "front camera" network: selfies and portraits, faces that fill much of the photo.</summary>
    Near,

    /// <summary>The 256 px "back camera" network: group shots and smaller faces.</summary>
    Far,
}

/// <summary>Detection settings; the same names appear as CLI options and web API query parameters.</summary>
public sealed record DetectionOptions
{
    public FaceDetectorModel Detector { get; init; } = FaceDetectorModel.Auto;

    /// <summary>Faces whose box is narrower than this many photo pixels are dropped (too small to classify).</summary>
    public int MinFace { get; init; } = 20;

    /// <summary>Detector confidence threshold. 0.6 keeps turned and partly hidden faces; raise it for fewer false faces.</summary>
    public float MinScore { get; init; } = 0.6f;

    /// <summary>At most this many faces per photo, the most confident first (a crowd photo stays bounded in time).</summary>
    public int MaxFaces { get; init; } = 200;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MinFace < 0) errors.Add($"min-face must be 0 or more pixels (got {MinFace})");
        if (MinScore is <= 0 or >= 1) errors.Add($"min-score must be between 0 and 1 (got {MinScore})");
        if (MaxFaces < 1) errors.Add($"max-faces must be at least 1 (got {MaxFaces})");
        return errors;
    }
}

/// <summary>
/// MediaPipe BlazeFace (short-range 128 px and full-range 256 px networks, converted to ONNX by PINTO0309 and
/// keijiro; see models/blazeface/PROVENANCE.md) run through ONNX Runtime. The photo is letterboxed into the
/// network's square input; each of the 896 anchors (16x16 cells x 2 and 8x8 cells x 6) predicts a score, a box and
/// six keypoints relative to its cell centre; overlapping candidates are blended by weighted non-maximum suppression.
/// Thread-safe: one detector serves concurrent requests.
/// </summary>
public sealed class BlazeFaceDetector : IDisposable
{
    /// <summary>The file names in models/blazeface.</summary>
    public const string NearModelFile = "face_detection_front_128x128_barracuda.onnx", FarModelFile = "face_detection_back_256x256_barracuda.onnx";

    private const int ValuesPerAnchor = 16; // box centre offset (2), box size (2), six keypoints (12)
    private const float SuppressionOverlap = 0.3f; // MediaPipe's min_suppression_threshold

    private static readonly (int Cells, int AnchorsPerCell)[] AnchorLayers = [(16, 2), (8, 6)];

    private readonly Lazy<Network> _near;
    private readonly Lazy<Network> _far;

    public BlazeFaceDetector(string folder, SessionOptions? sessionOptions = null)
    {
        Folder = folder;
        _near = new Lazy<Network>(() => new Network(Path.Combine(folder, NearModelFile), 128, sessionOptions));
        _far = new Lazy<Network>(() => new Network(Path.Combine(folder, FarModelFile), 256, sessionOptions));
    }

    public string Folder { get; }

    /// <summary>The faces in an upright RGBA photo, most confident first, in photo pixels.</summary>
    public IReadOnlyList<FaceDetection> Detect(SKBitmap photo, DetectionOptions? options = null)
    {
        options ??= new DetectionOptions();
        var faces = options.Detector switch
        {
            FaceDetectorModel.Near => Run(_near.Value, photo, options),
            FaceDetectorModel.Far => Run(_far.Value, photo, options),
            _ => Auto(photo, options),
        };
        return faces;
    }

    /// <summary>
    /// A face at least this fraction of the photo's shorter side wide is a close-up, which `auto` has the 128 px
    /// network box. That network sees such faces reliably (on FER2013's faces set in 640x480 frames at 120 px and
    /// more, its boxes and the 256 px network's agree within 5 %), and the 256 px one does not box them reliably:
    /// on faces that fill the picture, FER2013's own crops, its box was 31.6 px wide against the 128 px network's
    /// 42.8 (medians on 2,000 faces; `bench/Fergan.PhotoBench calibrate-alignment`), and FaceAligner, whose framing
    /// was measured with the latter, zoomed in.
    /// </summary>
    public const float CloseUpFraction = 0.4f;

    /// <summary>The 128 px network's score threshold when it only re-boxes a close-up the 256 px one has found.</summary>
    private const float ReboxMinScore = 0.2f;

    /// <summary>
    /// The 256 px network (it sees small faces), its close-ups boxed again by the 128 px network where it finds them
    /// (see <see cref="CloseUpFraction"/>); the 128 px network alone when the 256 px one finds nothing.
    /// </summary>
    private IReadOnlyList<FaceDetection> Auto(SKBitmap photo, DetectionOptions options)
    {
        var far = Run(_far.Value, photo, options);
        var closeUp = CloseUpFraction * Math.Min(photo.Width, photo.Height);
        if (far.Count > 0 && far.All(f => f.Box.Width < closeUp))
        {
            return far;
        }
        if (far.Count == 0)
        {
            return Run(_near.Value, photo, options);
        }
        // The 256 px network has found the faces; the 128 px one is asked only where their boxes are, so a weaker
        // answer from it is good enough to place one.
        var near = Run(_near.Value, photo, options with { MinScore = Math.Min(options.MinScore, ReboxMinScore) });
        return far.Select(f => f.Box.Width < closeUp ? f
                : near.Where(n => n.Box.IntersectionOverUnion(f.Box) >= SuppressionOverlap).MaxBy(n => n.Score) ?? f)
            .Distinct() // two close-ups the 128 px network sees as one face
            .OrderByDescending(f => f.Score)
            .ToList();
    }

    private static IReadOnlyList<FaceDetection> Run(Network network, SKBitmap photo, DetectionOptions options)
    {
        var letterbox = Letterbox.Fit(photo.Width, photo.Height, network.Size);
        var input = network.Input(photo, letterbox);
        var candidates = network.Candidates(input, options.MinScore);
        return WeightedSuppression(candidates)
            .Select(letterbox.ToPhoto)
            .Where(face => face.Box.Width >= options.MinFace)
            .Take(options.MaxFaces)
            .ToList();
    }

    /// <summary>
    /// Weighted non-maximum suppression (MediaPipe's "weighted" NMS): the most confident candidate absorbs every
    /// other that overlaps it by IoU >= 0.3, and the group's box and keypoints are the score-weighted mean. Steadier
    /// boxes than keeping the single best anchor.
    /// </summary>
    internal static List<FaceDetection> WeightedSuppression(IEnumerable<FaceDetection> candidates)
    {
        var remaining = candidates.OrderByDescending(c => c.Score).ToList();
        var faces = new List<FaceDetection>();
        while (remaining.Count > 0)
        {
            var best = remaining[0];
            var group = remaining.Where(c => best.Box.IntersectionOverUnion(c.Box) >= SuppressionOverlap).ToList();
            remaining = remaining.Where(c => best.Box.IntersectionOverUnion(c.Box) < SuppressionOverlap).ToList();
            var total = group.Sum(c => c.Score);
            float Mean(Func<FaceDetection, float> value) => group.Sum(c => value(c) * c.Score) / total;
            var box = new BoxF(Mean(c => c.Box.X), Mean(c => c.Box.Y), Mean(c => c.Box.Width), Mean(c => c.Box.Height));
            var keypoints = Enumerable.Range(0, best.Keypoints.Count)
                .Select(k => new PointF(Mean(c => c.Keypoints[k].X), Mean(c => c.Keypoints[k].Y)))
                .ToArray();
            faces.Add(new FaceDetection(box, keypoints, best.Score));
        }
        return faces;
    }

    public void Dispose()
    {
        if (_near.IsValueCreated) _near.Value.Dispose();
        if (_far.IsValueCreated) _far.Value.Dispose();
    }

    /// <summary>Where the photo sits inside the network's square input, to map detections back to photo pixels.</summary>
    internal readonly record struct Letterbox(float Scale, float OffsetX, float OffsetY, int Size)
    {
        public static Letterbox Fit(int width, int height, int size)
        {
            var scale = (float)size / Math.Max(width, height);
            return new Letterbox(scale, (size - width * scale) / 2, (size - height * scale) / 2, size);
        }

        /// <summary>From the network's [0, 1] coordinates to photo pixels.</summary>
        public PointF ToPhoto(PointF p) => new((p.X * Size - OffsetX) / Scale, (p.Y * Size - OffsetY) / Scale);

        public FaceDetection ToPhoto(FaceDetection d)
        {
            var topLeft = ToPhoto(new PointF(d.Box.X, d.Box.Y));
            var box = new BoxF(topLeft.X, topLeft.Y, d.Box.Width * Size / Scale, d.Box.Height * Size / Scale);
            return d with { Box = box, Keypoints = d.Keypoints.Select(ToPhoto).ToArray() };
        }
    }

    /// <summary>One BlazeFace ONNX network and its anchor decoding.</summary>
    private sealed class Network : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly string _inputName;

        public Network(string path, int size, SessionOptions? options)
        {
            if (!File.Exists(path))
            {
                throw new FerganException($"the BlazeFace model {path} is missing; it ships in models/blazeface (see models/blazeface/PROVENANCE.md).");
            }
            options ??= OnnxSessions.Quiet();
            _session = new InferenceSession(path, options);
            _inputName = _session.InputMetadata.Keys.Single();
            Size = size;
        }

        public int Size { get; }

        /// <summary>The letterboxed photo as a [1, size, size, 3] RGB tensor scaled to [-1, 1] (MediaPipe's input range).</summary>
        public DenseTensor<float> Input(SKBitmap photo, Letterbox letterbox)
        {
            using var square = new SKBitmap(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Opaque));
            using (var canvas = new SKCanvas(square))
            {
                canvas.Clear(SKColors.Black);
                using var image = SKImage.FromBitmap(photo);
                var target = SKRect.Create(letterbox.OffsetX, letterbox.OffsetY, photo.Width * letterbox.Scale, photo.Height * letterbox.Scale);
                // Mipmapped sampling: a 4000 px photo shrunk to 256 px without it aliases badly.
                canvas.DrawImage(image, target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            }
            var rgba = square.GetPixelSpan();
            var tensor = new DenseTensor<float>([1, Size, Size, 3]);
            var values = tensor.Buffer.Span;
            for (var i = 0; i < Size * Size; i++)
            {
                values[3 * i] = rgba[4 * i] / 127.5f - 1;
                values[3 * i + 1] = rgba[4 * i + 1] / 127.5f - 1;
                values[3 * i + 2] = rgba[4 * i + 2] / 127.5f - 1;
            }
            return tensor;
        }

        /// <summary>Decodes every anchor above the score threshold, in the network's [0, 1] coordinates.</summary>
        public List<FaceDetection> Candidates(DenseTensor<float> input, float minScore)
        {
            using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)]);
            // Outputs: scores of the 16x16 layer, scores of the 8x8 layer, then their regressors (16 values each).
            var byName = outputs.ToDictionary(o => o.Name, o => o.AsTensor<float>().ToArray());
            var names = _session.OutputMetadata.Keys.ToArray();
            var candidates = new List<FaceDetection>();
            var minLogit = MathF.Log(minScore / (1 - minScore));
            for (var layer = 0; layer < AnchorLayers.Length; layer++)
            {
                var (cells, perCell) = AnchorLayers[layer];
                var scores = byName[names[layer]];
                var boxes = byName[names[layer + 2]];
                for (var anchor = 0; anchor < scores.Length; anchor++)
                {
                    if (scores[anchor] < minLogit)
                    {
                        continue;
                    }
                    var cell = anchor / perCell;
                    var ax = (cell % cells + 0.5f) / cells;
                    var ay = (cell / cells + 0.5f) / cells;
                    var r = boxes.AsSpan(anchor * ValuesPerAnchor, ValuesPerAnchor);
                    var w = r[2] / Size;
                    var h = r[3] / Size;
                    var box = new BoxF(ax + r[0] / Size - w / 2, ay + r[1] / Size - h / 2, w, h);
                    var keypoints = new PointF[6];
                    for (var k = 0; k < keypoints.Length; k++)
                    {
                        keypoints[k] = new PointF(ax + r[4 + 2 * k] / Size, ay + r[5 + 2 * k] / Size);
                    }
                    var score = 1 / (1 + MathF.Exp(-Math.Clamp(scores[anchor], -80f, 80f)));
                    candidates.Add(new FaceDetection(box, keypoints, score));
                }
            }
            return candidates;
        }

        public void Dispose() => _session.Dispose();
    }
}
