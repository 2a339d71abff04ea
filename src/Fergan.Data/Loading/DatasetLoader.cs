using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Fergan.Data.Cache;
using Fergan.Data.Fer2013Csv;
using Fergan.Data.FerPlus;
using Fergan.Data.ImageFolders;
using Fergan.Data.Imaging;
using Fergan.Data.Splitting;
using Fergan.Data.Synthetic;

namespace Fergan.Data.Loading;

/// <summary>A loaded dataset plus how it was obtained (cache hit, timing), for reports and benchmarks.</summary>
public sealed record LoadedDataset(FaceSet Faces, bool FromCache, TimeSpan LoadTime, string? CachePath, string? CacheNote);

/// <summary>
/// Turns a dataset argument (a fer2013.csv[.gz], an image-folder root, a .fgn file, or a synthetic spec) into
/// a <see cref="FaceSet"/>: parse (or read the parse cache), then apply the label source and the split policy.
/// </summary>
public static class DatasetLoader
{
    /// <summary>Provenance split method of a source that assigns no splits.</summary>
    private const string NoSplit = "none";

    /// <summary>
    /// Picks the reader for a dataset argument by what it is on disk, not by its name. <paramref name="cropper"/>
    /// (see <see cref="DatasetOptions.FaceCropper"/>) applies to image folders only; any other source refuses it.
    /// </summary>
    public static IFaceDataset Open(string spec, IFaceCropper? cropper = null)
    {
        var dataset = OpenAny(spec, cropper);
        if (cropper is not null && dataset is not ImageFolderDataset)
        {
            throw new FerganException(
                $"{spec}: finding faces ({cropper.Name}) reads photos in image folders (<root>/<split>/<class>/*.jpg or <root>/<class>/*.jpg); a {dataset.Format} source already holds 48x48 faces.");
        }
        return dataset;
    }

    private static IFaceDataset OpenAny(string spec, IFaceCropper? cropper)
    {
        if (SyntheticFaceDataset.TryParseSpec(spec, out var synthetic))
        {
            return synthetic!;
        }
        if (Directory.Exists(spec))
        {
            return new ImageFolderDataset(spec, cropper);
        }
        if (!File.Exists(spec))
        {
            throw new DataFormatException(spec, null,
                "no such file or folder. Give a FER2013 CSV (fer2013.csv or .csv.gz), an image-folder root, a Fergan .fgn file, or 'synthetic'.");
        }
        return FaceSetFile.LooksLikeFaceSetFile(spec) ? new FaceSetFileDataset(spec) : new Fer2013CsvDataset(spec);
    }

    public static LoadedDataset Load(string spec, DatasetOptions options, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var dataset = Open(spec, options.FaceCropper);
        var (faces, fromCache, cachePath, note) = Parse(dataset, options, cancellationToken);
        if (options.FerPlus is { } votes)
        {
            faces = FerPlusVotes.Load(votes).Relabel(faces, options.FerPlusMode);
        }
        faces = ApplySplit(faces, options, spec);
        return new LoadedDataset(faces, fromCache, watch.Elapsed, cachePath, note);
    }

    private static FaceSet ApplySplit(FaceSet faces, DatasetOptions options, string spec)
    {
        var missing = faces.Provenance.SplitMethod == NoSplit;
        return options.Split switch
        {
            SplitMode.Stratified => new StratifiedSplit(Seed: options.SplitSeed).Apply(faces),
            SplitMode.Auto when missing => new StratifiedSplit(Seed: options.SplitSeed).Apply(faces),
            SplitMode.Auto when HasTrainingAndTestOnly(faces) => new ValidationFromTraining(Seed: options.SplitSeed).Apply(faces),
            SplitMode.Source when missing => throw new FerganException(
                $"{spec} has no split (no Usage column or split folders); use --split-mode stratified (or auto) to make an 80/10/10 split."),
            _ => faces,
        };
    }

    /// <summary>Training and test faces but no validation ones: the train/ + test/ folder release of FER2013.</summary>
    private static bool HasTrainingAndTestOnly(FaceSet faces)
    {
        var present = Enumerable.Range(0, faces.Count).Select(faces.Split).ToHashSet();
        return present.SetEquals([DataSplit.Training, DataSplit.PrivateTest]);
    }

    private static (FaceSet Faces, bool FromCache, string? CachePath, string? Note) Parse(
        IFaceDataset dataset, DatasetOptions options, CancellationToken cancellationToken)
    {
        if (dataset is FaceSetFileDataset file)
        {
            return (FaceSetFile.Read(file.Source), false, null, null); // already the binary form
        }
        var cachePath = options.UseCache ? CachePathFor(dataset, options) : null;
        if (cachePath is not null && File.Exists(cachePath))
        {
            try
            {
                return (FaceSetFile.Read(cachePath), true, cachePath, null);
            }
            catch (DataFormatException e)
            {
                // A damaged cache is only a lost shortcut: re-parse and overwrite it.
                File.Delete(cachePath);
                var (fresh, _, _, _) = Parse(dataset, options with { UseCache = false }, cancellationToken);
                return (fresh, false, TryWriteCache(fresh, cachePath, out var n) ? cachePath : null, $"cache was damaged and rebuilt ({e.Problem}){n}");
            }
        }
        var report = new IngestReport(options.SkipBad);
        var faces = FaceSet.FromRecords(
            dataset.Read(report, cancellationToken),
            splitMissing => DatasetProvenance.From(dataset, report) with { SplitMethod = splitMissing ? NoSplit : "source" },
            cancellationToken);
        if (faces.Count == 0)
        {
            throw new DataFormatException(dataset.Source, null, $"no faces could be read ({report.Skipped} skipped as malformed).");
        }
        string? note = null;
        if (cachePath is not null && !TryWriteCache(faces, cachePath, out note))
        {
            cachePath = null;
        }
        return (faces, false, cachePath, note);
    }

    private static bool TryWriteCache(FaceSet faces, string path, out string? note)
    {
        try
        {
            FaceSetFile.Write(faces, path);
            note = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            note = $"; could not write the parse cache {path}: {e.Message}";
            return false;
        }
    }

    /// <summary>Cache file for a source: keyed by its full path, size, modification time and the skip-bad choice.</summary>
    public static string CachePathFor(IFaceDataset dataset, DatasetOptions options)
    {
        // The version changes when a parse would give other faces or flags (v3: image folders read synthetic-* files
        // as generated), so a cache written by an older Fergan is not reused.
        var key = new StringBuilder($"v3|{dataset.Format}|{options.SkipBad}|");
        if (dataset is ImageFolderDataset { Cropper: var cropper } && cropper is not CentreCrop)
        {
            key.Append($"crop={cropper.Name}|"); // faces found in photos are other faces than centre crops of them
        }
        if (dataset is SyntheticFaceDataset)
        {
            key.Append(dataset.Source);
        }
        else
        {
            var full = Path.GetFullPath(dataset.Source);
            key.Append(full);
            if (File.Exists(full))
            {
                var info = new FileInfo(full);
                key.Append($"|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
            }
            else
            {
                // A folder changes when any file in it does: fold every entry's size and time into the key.
                foreach (var f in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var info = new FileInfo(f);
                    key.Append($"|{f}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
                }
            }
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..16];
        var name = Path.GetFileName(dataset.Source.TrimEnd('/', '\\')).Replace(':', '-');
        return Path.Combine(FerganPaths.CacheRoot(options.CacheDirectory), "datasets", $"{name}-{hash}{FaceSetFile.Extension}");
    }
}

/// <summary>A Fergan binary dataset file opened as a source (read whole; it is already compact).</summary>
public sealed class FaceSetFileDataset(string path) : IFaceDataset
{
    public string Source { get; } = path;
    public string Format => "fergan-binary";

    public IEnumerable<FaceRecord> Read(IngestReport report, CancellationToken cancellationToken = default)
    {
        var faces = FaceSetFile.Read(Source);
        for (var i = 0; i < faces.Count; i++)
        {
            yield return new FaceRecord(faces.SourceRow(i), faces.Label(i), faces.Split(i), faces.Pixels(i).ToArray(), faces.IsSynthetic(i));
        }
    }
}
