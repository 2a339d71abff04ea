using Fergan.Data.Imaging;

namespace Fergan.Data.ImageFolders;

/// <summary>
/// A folder tree of face images, as in the common Kaggle folder release:
/// <c>root/&lt;split&gt;/&lt;class&gt;/*.png|jpg</c> (split folders train, val, test, ...) or <c>root/&lt;class&gt;/*</c>
/// without splits. Class folders are emotion names (angry, disgust, fear, happy, sad, surprise, neutral).
/// Images of other sizes or in colour are converted to 48x48 gray and counted in the ingest report; with a face
/// finder as <paramref name="cropper"/>, each image is a photo whose face is found and cropped instead. Files named
/// <c>synthetic-*</c> (as `data export` writes a synthesized set's generated faces) are read as generated.
/// </summary>
public sealed class ImageFolderDataset(string root, IFaceCropper? cropper = null) : IFaceDataset
{
    public string Source { get; } = root;

    /// <summary>The format of a folder read through a face finder: other faces than its centre crops, and cards say so.</summary>
    public const string PhotoFormat = "photo-folders";

    /// <summary>"image-folders", or <see cref="PhotoFormat"/> where a face finder crops each photo.</summary>
    public string Format => Cropper is CentreCrop ? "image-folders" : PhotoFormat;

    /// <summary>How each image becomes a face: <see cref="CentreCrop"/> unless a face finder was given.</summary>
    public IFaceCropper Cropper { get; } = cropper ?? CentreCrop.Instance;

    public IEnumerable<FaceRecord> Read(IngestReport report, CancellationToken cancellationToken = default)
    {
        var files = ListFiles(report);
        if (files.Count == 0)
        {
            throw new DataFormatException(Source, null, "no image files found; expected <root>/<split>/<class>/*.png or <root>/<class>/*.png.");
        }
        var decoded = files
            .AsParallel().AsOrdered()
            .WithCancellation(cancellationToken)
            .Select(Decode);
        var row = 0;
        foreach (var (file, face, problem) in decoded)
        {
            if (face is { } f)
            {
                foreach (var conversion in f.Decoded.Conversions)
                {
                    report.RecordConversion(conversion);
                }
                yield return new FaceRecord(row, file.Label, file.Split, f.Decoded.Pixels, IsGenerated(file.Path));
            }
            else
            {
                report.Fail(new DataFormatException(file.Path, null, problem!));
            }
            row++;
        }
    }

    private sealed record ImageFile(string Path, Emotion Label, DataSplit? Split);

    /// <summary>The prefix `data export` gives generated faces' files, so a synthesized set keeps its marks through folders.</summary>
    public const string GeneratedPrefix = "synthetic-";

    private static bool IsGenerated(string path) => System.IO.Path.GetFileName(path).StartsWith(GeneratedPrefix, StringComparison.Ordinal);

    private sealed record DecodedFace(GrayFaceDecoder.Decoded Decoded);

    private (ImageFile File, DecodedFace? Face, string? Problem) Decode(ImageFile file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (file, null, $"cannot read the file: {e.Message}");
        }
        var decoded = Cropper.TryCrop(bytes, out var problem);
        return decoded is { } d ? (file, new DecodedFace(d), null) : (file, null, problem);
    }

    /// <summary>Lists image files in a stable order: split, then emotion, then file name.</summary>
    private List<ImageFile> ListFiles(IngestReport report)
    {
        if (!Directory.Exists(Source))
        {
            throw new DataFormatException(Source, null, "the folder does not exist.");
        }
        var files = new List<ImageFile>();
        var top = Visible(Directory.GetDirectories(Source), report);
        foreach (var stray in Visible(Directory.GetFiles(Source), report))
        {
            report.Fail(new DataFormatException(stray, null, "a file directly under the dataset root; images belong in <split>/<class>/ or <class>/ folders."));
        }
        if (top.Count == 0)
        {
            throw new DataFormatException(Source, null, "no class or split folders found; expected <root>/<split>/<class>/*.png or <root>/<class>/*.png.");
        }
        var splitLayout = top.Any(d => DataSplits.TryParseFolder(Path.GetFileName(d), out _));
        if (splitLayout)
        {
            foreach (var (dir, split) in ParseFolders(top, NameAsSplit, "split", "train, val, test"))
            {
                var classDirs = Visible(Directory.GetDirectories(dir), report);
                foreach (var stray in Visible(Directory.GetFiles(dir), report))
                {
                    report.Fail(new DataFormatException(stray, null, "a file directly inside a split folder; images belong in <split>/<class>/."));
                }
                foreach (var (classDir, label) in ParseFolders(classDirs, NameAsEmotion, "class", string.Join(", ", Emotions.Names)))
                {
                    AddImages(files, classDir, label, split, report);
                }
            }
        }
        else
        {
            foreach (var (classDir, label) in ParseFolders(top, NameAsEmotion, "class", string.Join(", ", Emotions.Names)))
            {
                AddImages(files, classDir, label, null, report);
            }
        }
        return files;
    }

    private static DataSplit? NameAsSplit(string name) => DataSplits.TryParseFolder(name, out var s) ? s : null;

    private static Emotion? NameAsEmotion(string name) => Emotions.TryParse(name, out var e) ? e : null;

    private static IEnumerable<(string Dir, T Value)> ParseFolders<T>(IEnumerable<string> dirs, Func<string, T?> parse, string kind, string expected)
        where T : struct, Enum
    {
        var parsed = new List<(string, T)>();
        foreach (var dir in dirs)
        {
            var value = parse(Path.GetFileName(dir))
                ?? throw new DataFormatException(dir, null, $"'{Path.GetFileName(dir)}' is not a {kind} folder name (expected one of {expected}).");
            parsed.Add((dir, value));
        }
        var duplicate = parsed.GroupBy(p => p.Item2).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new DataFormatException(duplicate.First().Item1, null,
                $"folders {string.Join(" and ", duplicate.Select(d => Path.GetFileName(d.Item1)))} both mean {kind} '{duplicate.Key}'.");
        }
        return parsed.OrderBy(p => p.Item2);
    }

    private static void AddImages(List<ImageFile> files, string dir, Emotion label, DataSplit? split, IngestReport report)
    {
        foreach (var sub in Visible(Directory.GetDirectories(dir), report))
        {
            report.Fail(new DataFormatException(sub, null, "an unexpected folder inside a class folder (nested folders are not read)."));
        }
        foreach (var file in Visible(Directory.GetFiles(dir), report).Order(StringComparer.Ordinal))
        {
            if (GrayFaceDecoder.ImageExtensions.Contains(Path.GetExtension(file)))
            {
                files.Add(new ImageFile(file, label, split));
            }
            else
            {
                report.Fail(new DataFormatException(file, null,
                    $"not an image file (expected {string.Join(", ", GrayFaceDecoder.ImageExtensions)})."));
            }
        }
    }

    /// <summary>Drops hidden entries (.DS_Store, .git), counting them so none vanish unreported.</summary>
    private static List<string> Visible(IEnumerable<string> entries, IngestReport report)
    {
        var visible = new List<string>();
        foreach (var entry in entries)
        {
            if (Path.GetFileName(entry).StartsWith('.'))
            {
                report.Ignored();
            }
            else
            {
                visible.Add(entry);
            }
        }
        return visible;
    }
}
