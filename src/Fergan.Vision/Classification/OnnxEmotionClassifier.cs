using Fergan.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fergan.Vision.Classification;

/// <summary>
/// A classifier exported by `fergan export onnx`, run by ONNX Runtime: 48x48 gray faces in, one probability per
/// emotion out. Thread-safe (ONNX Runtime sessions allow concurrent Run calls).
/// </summary>
public sealed class OnnxEmotionClassifier : IDisposable
{
    /// <summary>The file name of an exported classifier inside a model folder (models/classifier/classifier.onnx).</summary>
    public const string ModelFile = "classifier.onnx";

    // The names and metadata keys that ClassifierOnnxExporter (Fergan.Torch) writes.
    private const string InputName = "faces", ProbabilitiesName = "probabilities", ClassesKey = "fergan.classes", CardKey = "fergan.card";
    private const int TenCropShift = 3; // as EmotionClassifier's TTA: shifts of up to 3 px, each view also mirrored

    private readonly InferenceSession _session;

    public OnnxEmotionClassifier(string path, SessionOptions? options = null)
    {
        if (!File.Exists(path))
        {
            throw new FerganException(MissingExport.Message("classifier", path, "classifier.json", "onnx"));
        }
        options ??= OnnxSessions.Quiet();
        try
        {
            _session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new FerganException($"{path} is not a model ONNX Runtime can load: {e.Message}");
        }
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        if (!_session.InputMetadata.ContainsKey(InputName) || !_session.OutputMetadata.ContainsKey(ProbabilitiesName)
            || !metadata.TryGetValue(ClassesKey, out var classes))
        {
            _session.Dispose();
            throw new FerganException($"{path} is not a Fergan classifier export (it needs input '{InputName}', output '{ProbabilitiesName}' and '{ClassesKey}' metadata).");
        }
        Emotions = classes.Split(',').Select(Data.Emotions.Parse).ToArray();
        Card = metadata.GetValueOrDefault(CardKey);
        Path = path;
    }

    public string Path { get; }

    /// <summary>The emotion of each output column.</summary>
    public IReadOnlyList<Emotion> Emotions { get; }

    /// <summary>The training card (JSON) the exporter embedded, if any.</summary>
    public string? Card { get; }

    /// <summary>Faces per ONNX Runtime call (divided by ten with TTA): bounds memory for crowd photos, whose first
    /// convolution alone would need over a gigabyte for 200 faces with ten views each in one batch.</summary>
    private const int MaxBatch = 64;

    /// <summary>
    /// Probabilities for each 48x48 face (row-major bytes); with <paramref name="tta"/>, ten views averaged. ONNX Runtime
    /// is called for at most <paramref name="maxFacesPerCall"/> faces at a time, and never for more than 64 views.
    /// </summary>
    public float[][] Predict(IReadOnlyList<byte[]> faces, bool tta = false, int maxFacesPerCall = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFacesPerCall, 1);
        for (var f = 0; f < faces.Count; f++)
        {
            if (faces[f].Length != FaceImage.PixelCount)
            {
                throw new ArgumentException($"face {f} has {faces[f].Length} pixels; expected {FaceImage.PixelCount} (48x48).", nameof(faces));
            }
        }
        var views = tta ? TenCropViews : 1;
        var perCall = Math.Min(maxFacesPerCall, Math.Max(1, MaxBatch / views));
        var result = new List<float[]>(faces.Count);
        for (var start = 0; start < faces.Count; start += perCall)
        {
            result.AddRange(PredictBatch(faces.Skip(start).Take(perCall).ToList(), views));
        }
        return result.ToArray();
    }

    private float[][] PredictBatch(IReadOnlyList<byte[]> faces, int views)
    {
        var size = FaceImage.Size;
        var input = new DenseTensor<float>([faces.Count * views, 1, size, size]);
        var buffer = input.Buffer.Span;
        for (var f = 0; f < faces.Count; f++)
        {
            for (var v = 0; v < views; v++)
            {
                WriteView(faces[f], views > 1 ? v : -1, buffer.Slice((f * views + v) * FaceImage.PixelCount, FaceImage.PixelCount));
            }
        }
        using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, input)], [ProbabilitiesName]);
        var probabilities = outputs[0].AsTensor<float>();
        var classes = Emotions.Count;
        var result = new float[faces.Count][];
        for (var f = 0; f < faces.Count; f++)
        {
            result[f] = new float[classes];
            for (var v = 0; v < views; v++)
            {
                for (var c = 0; c < classes; c++)
                {
                    result[f][c] += probabilities[f * views + v, c] / views;
                }
            }
        }
        return result;
    }

    private const int TenCropViews = 10;

    /// <summary>
    /// Writes one view of a face scaled to [0, 1]: view -1 is the face itself; views 0-9 are the centre and four
    /// corner crops of the edge-padded face, each followed by its mirror (the same views EmotionClassifier uses).
    /// </summary>
    private static void WriteView(byte[] face, int view, Span<float> target)
    {
        var size = FaceImage.Size;
        int offsetY = 0, offsetX = 0;
        var mirror = false;
        if (view >= 0)
        {
            (offsetY, offsetX) = (view / 2) switch
            {
                0 => (0, 0),
                1 => (-TenCropShift, -TenCropShift),
                2 => (-TenCropShift, TenCropShift),
                3 => (TenCropShift, -TenCropShift),
                _ => (TenCropShift, TenCropShift),
            };
            mirror = view % 2 == 1;
        }
        for (var y = 0; y < size; y++)
        {
            var sourceY = Math.Clamp(y + offsetY, 0, size - 1);
            for (var x = 0; x < size; x++)
            {
                var sourceX = Math.Clamp((mirror ? size - 1 - x : x) + offsetX, 0, size - 1);
                target[y * size + x] = face[sourceY * size + sourceX] / 255f;
            }
        }
    }

    public void Dispose() => _session.Dispose();
}
