using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Vision;
using Fergan.Vision.Alignment;
using Fergan.Vision.Classification;
using Fergan.Vision.Detection;
using Fergan.Vision.Photos;
using SkiaSharp;

// Photo pipeline benchmarks (ONNX Runtime, CPU). Run from the repository root:
//   dotnet run -c Release --project bench/Fergan.PhotoBench -- detection [--photos samples/photos] [--detector auto]
//       recall of BlazeFace against the hand counts in <photos>/faces.json, per photo
//   dotnet run -c Release --project bench/Fergan.PhotoBench -- latency [--repeats 200]
//       per-face classification on 1 thread (batch 1), and end-to-end 640x480 photos (decode, detect, align,
//       classify) on 1 thread and on every core (photos in parallel); medians
//   dotnet run -c Release --project bench/Fergan.PhotoBench -- frame --photo samples/photos/sample5.jpg --out frame.jpg
//       a 640x480 JPEG frame of a photo (used by bench/web-load.sh)
//   dotnet run -c Release --project bench/Fergan.PhotoBench -- calibrate-alignment --data fer2013.csv.gz
//       [--detector near|far] [--face-size S]
//       where BlazeFace puts FER2013's faces (the constants of FaceAligner): the face alone, or scaled to S px in a
//       640x480 frame (a face at a photo's scale)
//   dotnet run -c Release --project bench/Fergan.PhotoBench -- framed-faces [--split PrivateTest] [--face-size 120] --out DIR
//       a split's faces as 640x480 photos (each face scaled to S px, centred), for `fergan evaluate --find-faces`
//   dotnet run -c Release --project bench/Fergan.PhotoBench -- photo-path-parts [--split PublicTest] [--face-size 120]
//       [--half even|odd (with --split Training)] [--box-map FILE]
//       where the photo path's loss comes from: resampling, the detector's box, FER2013's box estimated from it, levelling
//   dotnet run -c Release --project bench/Fergan.PhotoBench -- calibrate-box [--half all|even|odd] [--out FILE]
//       fits FaceAligner's map from BlazeFace's box and keypoints to FER2013's box on Training faces
var command = args.FirstOrDefault() ?? "help";
var options = ParseOptions(args.Skip(1).ToArray());
string Get(string name, string fallback) => options.TryGetValue(name, out var v) ? v : fallback;

switch (command)
{
    case "detection":
        Detection(Get("photos", "samples/photos"), Enum.Parse<FaceDetectorModel>(Get("detector", "auto"), ignoreCase: true));
        break;
    case "latency":
        Latency(int.Parse(Get("repeats", "200"), CultureInfo.InvariantCulture), Get("photos", "samples/photos"));
        break;
    case "frame":
        File.WriteAllBytes(Get("out", "frame.jpg"), To640x480Jpeg(Get("photo", "samples/photos/sample5.jpg")));
        break;
    case "calibrate-alignment":
        CalibrateAlignment(Get("data", "../shared/data/fer2013/fer2013.csv.gz"),
            Enum.Parse<FaceDetectorModel>(Get("detector", "near"), ignoreCase: true),
            int.Parse(Get("face-size", "0"), CultureInfo.InvariantCulture));
        break;
    case "framed-faces":
        FramedFaces(Get("data", "../shared/data/fer2013/fer2013.csv.gz"), Enum.Parse<DataSplit>(Get("split", "PrivateTest"), ignoreCase: true),
            int.Parse(Get("face-size", "120"), CultureInfo.InvariantCulture), Get("out", "framed-faces"));
        break;
    case "photo-path-parts":
        PhotoPathParts(Get("data", "../shared/data/fer2013/fer2013.csv.gz"), Enum.Parse<DataSplit>(Get("split", "PublicTest"), ignoreCase: true),
            int.Parse(Get("face-size", "120"), CultureInfo.InvariantCulture), Get("half", "all"), Get("box-map", ""));
        break;
    case "calibrate-box":
        CalibrateBox(Get("data", "../shared/data/fer2013/fer2013.csv.gz"), Get("half", "all"), Get("out", ""));
        break;
    default:
        Console.WriteLine("usage: Fergan.PhotoBench detection|latency|frame|calibrate-alignment|framed-faces|photo-path-parts|calibrate-box [options] (see Program.cs)");
        break;
}

static void Detection(string folder, FaceDetectorModel model)
{
    var counts = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "faces.json")))!;
    using var detector = new BlazeFaceDetector(Path.Combine(FerPipeline.BundledModels, "blazeface"));
    int expected = 0, found = 0, extra = 0;
    using (var first = PhotoDecoder.Decode(Path.Combine(folder, counts.Keys.First())))
    {
        for (var i = 0; i < 20; i++) detector.Detect(first, new DetectionOptions { Detector = model }); // warm up ONNX Runtime
    }
    Console.WriteLine($"BlazeFace ({model}) on {folder}");
    Console.WriteLine("| photo | size | faces (hand count) | found | ms (median of 9, all cores) |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var (file, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
    {
        using var photo = PhotoDecoder.Decode(Path.Combine(folder, file));
        var faces = detector.Detect(photo, new DetectionOptions { Detector = model });
        var milliseconds = Time(9, () => detector.Detect(photo, new DetectionOptions { Detector = model }));
        expected += count;
        found += Math.Min(faces.Count, count);
        extra += Math.Max(0, faces.Count - count);
        Console.WriteLine($"| {file} | {photo.Width}x{photo.Height} | {count} | {faces.Count} | {milliseconds:0.0} |");
    }
    Console.WriteLine($"recall {found}/{expected} = {(double)found / expected:0.000}; detections beyond the hand count: {extra}");
}

static void Latency(int repeats, string folder)
{
    // Per face: the classifier alone, batch 1, one thread (the issue's measure; the JavaScript peers were timed so).
    using var single = FerPipeline.Load(threadsPerPhoto: 1);
    var face = new byte[FaceImage.PixelCount];
    new Random(1).NextBytes(face);
    for (var i = 0; i < 20; i++) single.Classifier.Predict([face]);
    var perFace = Time(repeats, () => single.Classifier.Predict([face]));
    Console.WriteLine($"classifier, batch 1, 1 thread: median {perFace:0.00} ms per face ({1000 / perFace:0} faces/s)");
    var perFaceTta = Time(Math.Max(20, repeats / 10), () => single.Classifier.Predict([face], tta: true));
    Console.WriteLine($"classifier with ten-crop TTA, 1 thread: median {perFaceTta:0.00} ms per face");

    // End to end: 640x480 JPEGs made from the sample photos (decode included), one thread, then all cores.
    var photos = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).Select(path => To640x480Jpeg(path)).ToList();
    var faces = photos.Sum(p => single.Predict(p).Faces.Count);
    var index = 0;
    var endToEnd = Time(repeats / 2, () => single.Predict(photos[index++ % photos.Count]));
    Console.WriteLine($"end to end, 640x480 JPEG ({faces} faces in {photos.Count} photos), 1 thread: median {endToEnd:0.0} ms per photo ({1000 / endToEnd:0.0} photos/s)");

    var cores = Environment.ProcessorCount;
    var total = Math.Max(cores * 30, repeats);
    var watch = Stopwatch.StartNew();
    Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = cores }, i => single.Predict(photos[i % photos.Count]));
    watch.Stop();
    Console.WriteLine($"end to end, {cores} cores, photos in parallel: {total / watch.Elapsed.TotalSeconds:0.0} photos/s ({total} photos)");
}

static double Time(int repeats, Action action)
{
    var samples = new double[repeats];
    for (var i = 0; i < repeats; i++)
    {
        var watch = Stopwatch.StartNew();
        action();
        samples[i] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(samples);
    return samples[repeats / 2];
}

static byte[] To640x480Jpeg(string path)
{
    using var photo = PhotoDecoder.Decode(path);
    // Centre-crop to 4:3, then scale to 640x480, as a webcam frame or a phone photo sent at VGA size.
    var cropWidth = Math.Min(photo.Width, photo.Height * 4 / 3);
    var cropHeight = cropWidth * 3 / 4;
    using var frame = new SKBitmap(new SKImageInfo(640, 480, SKColorType.Rgba8888, SKAlphaType.Opaque));
    using (var canvas = new SKCanvas(frame))
    using (var image = SKImage.FromBitmap(photo))
    {
        var source = SKRect.Create((photo.Width - cropWidth) / 2f, (photo.Height - cropHeight) / 2f, cropWidth, cropHeight);
        canvas.DrawImage(image, source, SKRect.Create(0, 0, 640, 480), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
    }
    using var encoded = SKImage.FromBitmap(frame).Encode(SKEncodedImageFormat.Jpeg, 90);
    return encoded.ToArray();
}

static void CalibrateAlignment(string data, FaceDetectorModel network, int faceSize)
{
    // BlazeFace (one network: near, 128 px, or far, 256 px) on every 10th FER2013 Training face (the first 2,000 of
    // those): medians of where it puts the box and the eyes, in 48x48 face pixels. With --face-size 0 the face is
    // the whole image, as it is stored; with --face-size S it is scaled to S px and set in the middle of a 640x480
    // frame of its mean gray, so the network sees it at the scale of a face in a photo.
    var faces = DatasetLoader.Load(data, new DatasetOptions()).Faces;
    var sample = faces.IndicesOf(DataSplit.Training).Where((_, i) => i % 10 == 0).Take(2000).ToList();
    using var detector = new BlazeFaceDetector(Path.Combine(FerPipeline.BundledModels, "blazeface"));
    var rows = new List<float[]>();
    foreach (var i in sample)
    {
        var pixels = faces.Pixels(i);
        using var face = FaceBitmap(pixels);
        var (scene, offsetX, offsetY, scale) = faceSize <= 0 ? (face, 0f, 0f, 1f) : InFrame(face, pixels, faceSize);
        var found = detector.Detect(scene, new DetectionOptions { Detector = network, MinScore = 0.5f, MinFace = 0 });
        if (!ReferenceEquals(scene, face)) scene.Dispose();
        if (found.Count == 0) continue;
        var f = found.MaxBy(d => d.Box.Width)!;
        var (right, left) = (f[FaceKeypoint.RightEye], f[FaceKeypoint.LeftEye]);
        rows.Add([(f.Box.CenterX - offsetX) / scale, (f.Box.CenterY - offsetY) / scale, f.Box.Width / scale,
            MathF.Sqrt(MathF.Pow(left.X - right.X, 2) + MathF.Pow(left.Y - right.Y, 2)) / scale]);
    }
    Console.WriteLine($"{network} network, {(faceSize <= 0 ? "the face alone" : $"the face at {faceSize} px in a 640x480 frame")}: detected {rows.Count} of {sample.Count} FER2013 Training faces");
    string[] names = ["box centre x", "box centre y", "box width", "eye distance"];
    for (var c = 0; c < names.Length; c++)
    {
        var values = rows.Select(r => r[c]).Order().ToArray();
        Console.WriteLine($"{names[c],-14} median {values[values.Length / 2]:0.00}  quartiles {values[values.Length / 4]:0.00} .. {values[3 * values.Length / 4]:0.00}");
    }
}

static void FramedFaces(string data, DataSplit split, int faceSize, string outFolder)
{
    // Every face of one split as a photo: scaled to S px in the middle of a 640x480 frame of its mean gray, written
    // as PNG to <out>/test/<emotion>/<source row>.png, the layout `fergan evaluate --find-faces` reads (all faces
    // PrivateTest there, whichever split they came from; file order follows the source rows, so evaluations of
    // the framed and the original faces join on source_row).
    if (Directory.Exists(outFolder) && Directory.EnumerateFileSystemEntries(outFolder).Any())
    {
        throw new IOException($"{outFolder} is not empty.");
    }
    var faces = DatasetLoader.Load(data, new DatasetOptions()).Faces;
    var indices = faces.IndicesOf(split);
    Parallel.ForEach(indices, i =>
    {
        var pixels = faces.Pixels(i);
        using var face = FaceBitmap(pixels);
        var (frame, _, _, _) = InFrame(face, pixels, faceSize);
        using (frame)
        {
            var folder = Path.Combine(outFolder, "test", faces.Label(i).Name());
            Directory.CreateDirectory(folder);
            using var png = SKImage.FromBitmap(frame).Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, $"{faces.SourceRow(i):D6}.png"), png.ToArray());
        }
    });
    Console.WriteLine($"wrote {indices.Length:N0} {split} faces at {faceSize} px in 640x480 frames to {outFolder}/test/<emotion>/");
}

static void PhotoPathParts(string data, DataSplit split, int faceSize, string half, string boxMap)
{
    // Where the photo path's loss comes from (bench/photo-path.sh measures the whole of it): each face of a split (or
    // of a half of Training, --half even|odd) is set in a 640x480 frame as framed-faces does, then cropped back
    // several ways and classified by the bundled model; accuracies are on the faces BlazeFace found, all on the same
    // faces. --box-map FILE (from calibrate-box --out) estimates FER2013's box with that map instead of FaceAligner's.
    var faces = DatasetLoader.Load(data, new DatasetOptions()).Faces;
    var indices = split == DataSplit.Training ? TrainingHalf(faces, half) : faces.IndicesOf(split);
    var map = boxMap.Length > 0 ? JsonSerializer.Deserialize<double[][]>(File.ReadAllText(boxMap))! : null;
    using var detector = new BlazeFaceDetector(Path.Combine(FerPipeline.BundledModels, "blazeface"), OnnxSessions.Quiet(1));
    using var classifier = new OnnxEmotionClassifier(Path.Combine(FerPipeline.BundledModels, "classifier", OnnxEmotionClassifier.ModelFile));
    string[] ways =
    [
        "the stored 48x48 face (no resampling)",
        "FER2013's own box on it, not levelled: resampling only",
        "BlazeFace's box, not levelled",
        "BlazeFace's box, eyes levelled (predict before 2026-11-27)",
        "FER2013's box estimated from BlazeFace's box and keypoints, not levelled",
        "the estimated box, eyes levelled",
        $"the estimated box, eyes levelled where rolled over {FaceAligner.LevelBeyondDegrees:0} degrees (predict)",
    ];
    var crops = new byte[indices.Length][][];
    var labels = new int[indices.Length];
    var rolledFar = 0;
    Parallel.For(0, indices.Length, k =>
    {
        var i = indices[k];
        var pixels = faces.Pixels(i);
        using var face = FaceBitmap(pixels);
        var (frame, x, y, scale) = InFrame(face, pixels, faceSize);
        using (frame)
        {
            var found = detector.Detect(frame);
            if (found.Count == 0) return;
            var best = found.MaxBy(f => f.Box.Width * f.Box.Height)!;
            var exactWidth = FaceAligner.FerBoxWidth * scale;
            var exact = new BoxF(x + FaceAligner.FerBoxCenterX * scale - exactWidth / 2, y + FaceAligner.FerBoxCenterY * scale - exactWidth / 2, exactWidth, exactWidth);
            var roll = FaceAligner.Roll(best) ?? 0f;
            var estimated = FaceAligner.FerBox(best, map);
            var far = Math.Abs(roll) > FaceAligner.LevelBeyondDegrees;
            if (far) Interlocked.Increment(ref rolledFar);
            crops[k] =
            [
                pixels.ToArray(),
                FaceAligner.Crop(frame, exact, 0),
                FaceAligner.Crop(frame, best.Box, 0),
                FaceAligner.Crop(frame, best.Box, roll),
                FaceAligner.Crop(frame, estimated, 0),
                FaceAligner.Crop(frame, estimated, roll),
                FaceAligner.Crop(frame, estimated, far ? roll : 0),
            ];
            labels[k] = (int)faces.Label(i);
        }
    });
    var kept = Enumerable.Range(0, indices.Length).Where(k => crops[k] is not null).ToList();
    var name = split == DataSplit.Training && half != "all" ? $"Training ({half} half)" : split.ToString();
    Console.WriteLine($"{name}: {kept.Count:N0} of {indices.Length:N0} faces found at {faceSize} px in a 640x480 frame; {rolledFar / (double)kept.Count:P1} rolled over {FaceAligner.LevelBeyondDegrees:0} degrees");
    Console.WriteLine("| crop | accuracy |");
    Console.WriteLine("|---|---|");
    for (var w = 0; w < ways.Length; w++)
    {
        var probabilities = classifier.Predict(kept.Select(k => crops[k][w]).ToList());
        var accuracy = kept.Select((k, j) => Array.IndexOf(probabilities[j], probabilities[j].Max()) == labels[k] ? 1 : 0).Average();
        Console.WriteLine($"| {ways[w]} | {accuracy:0.000} |");
    }
}

static void CalibrateBox(string data, string half, string outFile)
{
    // A linear map from BlazeFace's box and keypoints to the box FER2013 cut the face with: Training faces (every
    // <every>th) set in 640x480 frames at 80-300 px (seeded), detected (auto), the largest face; features are the six
    // keypoints relative to the box centre in box widths, plus 1; targets the FER2013 box's centre offset in box widths
    // and the log of its width over the box's. Least squares (ridge 1e-3). Prints the coefficients and how far the
    // plain box and the mapped box are from FER2013's box (median absolute errors, in FER2013 box widths).
    var faces = DatasetLoader.Load(data, new DatasetOptions()).Faces;
    var sample = TrainingHalf(faces, half);
    int[] sizes = [80, 120, 200, 300];
    using var detector = new BlazeFaceDetector(Path.Combine(FerPipeline.BundledModels, "blazeface"), OnnxSessions.Quiet(1));
    var rows = new (double[] X, double[] Y)?[sample.Length];
    Parallel.For(0, sample.Length, k =>
    {
        var pixels = faces.Pixels(sample[k]);
        using var face = FaceBitmap(pixels);
        var (frame, x, y, scale) = InFrame(face, pixels, sizes[k % sizes.Length]);
        using (frame)
        {
            var found = detector.Detect(frame);
            if (found.Count == 0) return;
            var best = found.MaxBy(f => f.Box.Width * f.Box.Height)!;
            rows[k] = (FaceAligner.BoxFeatures(best), [(x + FaceAligner.FerBoxCenterX * scale - best.Box.CenterX) / best.Box.Width,
                (y + FaceAligner.FerBoxCenterY * scale - best.Box.CenterY) / best.Box.Width,
                Math.Log(FaceAligner.FerBoxWidth * scale / best.Box.Width)]);
        }
    });
    var kept = rows.Where(r => r is not null).Select(r => r!.Value).ToList();
    var p = kept[0].X.Length;
    var coefficients = new double[3][];
    for (var t = 0; t < 3; t++)
    {
        var a = new double[p, p];
        var b = new double[p];
        foreach (var (xs, ys) in kept)
        {
            for (var i = 0; i < p; i++)
            {
                b[i] += xs[i] * ys[t];
                for (var j = 0; j < p; j++) a[i, j] += xs[i] * xs[j];
            }
        }
        for (var i = 0; i < p; i++) a[i, i] += 1e-3 * kept.Count;
        coefficients[t] = Solve(a, b);
    }
    Console.WriteLine($"{kept.Count:N0} of {sample.Length:N0} Training faces found");
    string[] names = ["centre x offset", "centre y offset", "log width ratio"];
    for (var t = 0; t < 3; t++)
    {
        var plain = kept.Select(r => Math.Abs(r.Y[t])).Order().ToArray();
        var mapped = kept.Select(r => Math.Abs(r.Y[t] - r.X.Zip(coefficients[t], (u, v) => u * v).Sum())).Order().ToArray();
        Console.WriteLine($"{names[t],-16} median |error|: box {plain[plain.Length / 2]:0.0000}, mapped {mapped[mapped.Length / 2]:0.0000}");
        Console.WriteLine("  [" + string.Join(", ", coefficients[t].Select(c => c.ToString("0.00000", CultureInfo.InvariantCulture))) + "]");
    }
    if (outFile.Length > 0) File.WriteAllText(outFile, JsonSerializer.Serialize(coefficients));
}

// Training faces: all, or every other one (even: the 0th, 2nd, ...; odd: the rest), to fit on one half and test on the other.
static int[] TrainingHalf(FaceSet faces, string half) => faces.IndicesOf(DataSplit.Training)
    .Where((_, i) => half switch { "even" => i % 2 == 0, "odd" => i % 2 == 1, "all" => true, _ => throw new ArgumentException($"--half {half}: all, even or odd") })
    .ToArray();

// Gaussian elimination with partial pivoting (the systems here are 13x13).
static double[] Solve(double[,] a, double[] b)
{
    var n = b.Length;
    for (var c = 0; c < n; c++)
    {
        var pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(a[r, c]));
        for (var j = 0; j < n; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
        (b[c], b[pivot]) = (b[pivot], b[c]);
        for (var r = c + 1; r < n; r++)
        {
            var f = a[r, c] / a[c, c];
            for (var j = c; j < n; j++) a[r, j] -= f * a[c, j];
            b[r] -= f * b[c];
        }
    }
    var x = new double[n];
    for (var r = n - 1; r >= 0; r--)
    {
        var sum = b[r];
        for (var j = r + 1; j < n; j++) sum -= a[r, j] * x[j];
        x[r] = sum / a[r, r];
    }
    return x;
}

// A stored 48x48 gray face as the opaque RGBA bitmap the photo pipeline takes.
static SKBitmap FaceBitmap(ReadOnlySpan<byte> pixels)
{
    var face = new SKBitmap(new SKImageInfo(FaceImage.Size, FaceImage.Size, SKColorType.Rgba8888, SKAlphaType.Opaque));
    var rgba = face.GetPixelSpan();
    for (var p = 0; p < FaceImage.PixelCount; p++)
    {
        rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = pixels[p];
        rgba[4 * p + 3] = 255;
    }
    return face;
}

static (SKBitmap Frame, float OffsetX, float OffsetY, float Scale) InFrame(SKBitmap face, ReadOnlySpan<byte> pixels, int size)
{
    var mean = 0;
    foreach (var p in pixels) mean += p;
    var gray = (byte)(mean / pixels.Length);
    var frame = new SKBitmap(new SKImageInfo(640, 480, SKColorType.Rgba8888, SKAlphaType.Opaque));
    frame.Erase(new SKColor(gray, gray, gray));
    var (x, y) = ((640 - size) / 2f, (480 - size) / 2f);
    using (var canvas = new SKCanvas(frame))
    using (var image = SKImage.FromBitmap(face))
    {
        canvas.DrawImage(image, SKRect.Create(x, y, size, size), new SKSamplingOptions(SKCubicResampler.Mitchell));
    }
    return (frame, x, y, size / (float)FaceImage.Size);
}

static Dictionary<string, string> ParseOptions(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }
    return result;
}
