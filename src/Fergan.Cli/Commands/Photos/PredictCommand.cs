using System.ComponentModel;
using System.Diagnostics;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Vision;
using Fergan.Vision.Annotation;
using Fergan.Vision.Photos;
using SkiaSharp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Photos;

public sealed class PredictSettings : PhotoSettings
{
    [CommandArgument(0, "<IMAGES>")]
    [Description("Photos: files, folders (searched recursively) or globs such as 'photos/*.jpg'.")]
    public string[] Images { get; init; } = [];

    [CommandOption("--json")]
    [Description("Print one JSON object: {\"images\": [[{\"path\", \"faces\": [[{\"box\", \"keypoints\", \"emotion\", \"probabilities\"}]]}]]}.")]
    public bool Json { get; init; }

    [CommandOption("--annotate <DIR>")]
    [Description("Write each photo with labelled face boxes into this folder.")]
    public string? Annotate { get; init; }

    [CommandOption("--parallel <N>")]
    [Description("Photos processed at once. Default: one per core.")]
    public int? Parallel { get; init; }

    [CommandOption("--overwrite")]
    [Description("Replace existing files in --annotate.")]
    public bool Overwrite { get; init; }

    public override ValidationResult Validate() =>
        Images.Length == 0 ? ValidationResult.Error("give at least one image, folder or glob.")
        : Parallel is < 1 ? ValidationResult.Error("--parallel must be at least 1.")
        : base.Validate();
}

/// <summary>`fergan predict`: every face in every photo with its emotion; a folder runs in parallel.</summary>
public sealed class PredictCommand(CliConsoles consoles) : Command<PredictSettings>
{
    public override int Execute(CommandContext context, PredictSettings settings, CancellationToken cancellationToken)
    {
        var files = PhotoInputs.Resolve(settings.Images);
        var options = settings.ToPredictOptions();
        var parallel = Math.Min(settings.Parallel ?? Environment.ProcessorCount, files.Count);
        var annotations = settings.Annotate is { } dir ? new AnnotationFolder(dir, files, settings.Overwrite) : null;
        // One photo at a time may use every core inside ONNX Runtime; several at once get one thread each.
        using var pipeline = FerPipeline.Load(settings.Model, threadsPerPhoto: parallel > 1 ? 1 : 0);

        var results = new ImageJson[files.Count];
        var watch = Stopwatch.StartNew();
        ProgressDisplay.Run(consoles.Error, progress =>
        {
            var done = 0;
            System.Threading.Tasks.Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, i =>
            {
                results[i] = PredictOne(pipeline, files[i], options, annotations);
                var count = Interlocked.Increment(ref done);
                lock (progress)
                {
                    progress.Update(count, files.Count, $"{count}/{files.Count} photos");
                }
            });
            return 0;
        });
        watch.Stop();

        var failed = results.Count(r => r.Error is not null);
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new { images = results });
        }
        else
        {
            Render(results, settings.Annotate);
        }
        var faces = results.Sum(r => r.Faces.Count);
        consoles.Error.WriteLine($"{files.Count} photo(s), {faces} face(s) in {watch.Elapsed.TotalSeconds:0.00} s ({files.Count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9):0.0} photos/s){(failed > 0 ? $"; {failed} could not be read" : "")}.");
        return failed > 0 ? FerganApp.UserError : 0;
    }

    private static ImageJson PredictOne(FerPipeline pipeline, string path, PredictOptions options, AnnotationFolder? annotations)
    {
        try
        {
            using var photo = PhotoDecoder.Decode(path, options.Limits);
            var prediction = pipeline.Predict(photo, options);
            if (annotations is not null)
            {
                using var annotated = FerPipeline.Annotate(photo, prediction);
                annotations.Write(path, annotated);
            }
            return ImageJson.From(path, prediction);
        }
        catch (FerganException e)
        {
            return ImageJson.Failed(path, e.Message);
        }
    }

    /// <summary>
    /// Paths as short as they can be: relative to the photos' common folder, which the table's title names once
    /// (relative to the current folder when inside it); plain names when that folder is the current one. A path per
    /// row wraps an 80-column table into four lines per photo (`fergan demo` from the repository showed
    /// ".build/cli/samples/photos/sample1.jpg" in every row).
    /// </summary>
    private static (string? Root, Func<string, string> Name) PathDisplay(IReadOnlyList<string> paths)
    {
        var full = paths.Select(Path.GetFullPath).ToList();
        var current = Path.GetFullPath(Environment.CurrentDirectory);
        var root = full.Count == 0 ? null : CommonFolder(full);
        if (root is null || root == Path.GetPathRoot(root))
        {
            return (null, p => full.All(f => IsInside(f, current)) ? Path.GetRelativePath(current, Path.GetFullPath(p)) : Path.GetFullPath(p));
        }
        if (Path.GetRelativePath(current, root) == ".")
        {
            return (null, p => Path.GetRelativePath(current, Path.GetFullPath(p)));
        }
        var title = IsInside(root, current) ? Path.GetRelativePath(current, root) : root;
        return (title, p => Path.GetRelativePath(root, Path.GetFullPath(p)));
    }

    private static bool IsInside(string path, string folder) =>
        !Path.GetRelativePath(folder, path).StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(Path.GetRelativePath(folder, path));

    private static string? CommonFolder(IReadOnlyList<string> fullPaths)
    {
        var root = Path.GetDirectoryName(fullPaths[0]);
        while (root is not null && !fullPaths.All(p => IsInside(p, root)))
        {
            root = Path.GetDirectoryName(root);
        }
        return root;
    }

    /// <summary>
    /// "16%": no space before the sign, which Spectre would wrap at, leaving "%" alone on the next line of the
    /// runners-up column in 80 columns (a no-break space is whitespace to it too).
    /// </summary>
    private static string Percent(double p) => (p * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "%";

    private void Render(IReadOnlyList<ImageJson> results, string? annotate)
    {
        var (root, name) = PathDisplay(results.Select(r => r.Path).OfType<string>().ToList());
        string Display(string? path) => path is null ? "" : Markup.Escape(name(path));
        // Numbers never wrap mid-value (a box "305,244,105,10 / 5" in 80 columns); the runners-up take the wrapping.
        var table = new Table().AddColumns(
            new TableColumn("photo"), new TableColumn("face").NoWrap(), new TableColumn("box x,y,w,h").NoWrap(),
            new TableColumn("emotion").NoWrap(), new TableColumn("probability").NoWrap(), new TableColumn("next"));
        if (root is not null)
        {
            table.Title($"photos in {Markup.Escape(root)}");
        }
        foreach (var image in results)
        {
            if (image.Error is not null)
            {
                // The reason goes in the one column that wraps: in a no-wrap column a long message made the table
                // wider than the console, and Spectre drew the whole table as a single "…".
                // The row names the photo already; the reason need not repeat its path.
                var reason = image.Path is { } path && image.Error.StartsWith(path + ": ", StringComparison.Ordinal) ? image.Error[(path.Length + 2)..] : image.Error;
                table.AddRow(Display(image.Path), "-", "", "[red]unreadable[/]", "", $"[red]{Markup.Escape(reason)}[/]");
                continue;
            }
            if (image.Faces.Count == 0)
            {
                table.AddRow(Display(image.Path), "-", "no face found", "", "", "");
            }
            for (var i = 0; i < image.Faces.Count; i++)
            {
                var face = image.Faces[i];
                var next = string.Join(", ", face.Top.Skip(1).Select(e => $"{e} {Percent(face.Probabilities[e])}"));
                table.AddRow(i == 0 ? Display(image.Path) : "", (i + 1).ToString(), string.Join(",", face.Box.Select(v => v.ToString("0"))),
                    $"[bold]{face.Emotion}[/]", Percent(face.Probabilities[face.Emotion]), next);
            }
        }
        consoles.Out.Write(table);
        var counts = results.SelectMany(r => r.Faces).GroupBy(f => f.Emotion).ToDictionary(g => g.Key, g => g.Count());
        if (counts.Count > 0)
        {
            consoles.Out.WriteLine("faces per emotion: " + string.Join(", ", Emotions.Names.Where(counts.ContainsKey).Select(n => $"{n} {counts[n]}")));
        }
        if (annotate is not null)
        {
            consoles.Out.WriteLine($"annotated photos: {annotate}");
        }
    }

    /// <summary>
    /// Output names for annotated photos: the photo's name as PNG (JPEG stays JPEG), made unique when two inputs
    /// share a name, and checked against existing files before any work starts.
    /// </summary>
    private sealed class AnnotationFolder
    {
        private readonly Dictionary<string, string> _targets = new(StringComparer.Ordinal);

        public AnnotationFolder(string folder, IReadOnlyList<string> files, bool overwrite)
        {
            Directory.CreateDirectory(folder);
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in files)
            {
                var extension = Path.GetExtension(file).ToLowerInvariant() is ".jpg" or ".jpeg" ? ".jpg" : ".png";
                var stem = Path.GetFileNameWithoutExtension(file);
                var name = stem + extension;
                for (var n = 2; !used.Add(name); n++)
                {
                    name = $"{stem}-{n}{extension}";
                }
                var target = Path.Combine(folder, name);
                if (!overwrite && File.Exists(target))
                {
                    throw new FerganException($"--annotate: {target} already exists; pass --overwrite to replace it.");
                }
                _targets[file] = target;
            }
        }

        public void Write(string source, SKBitmap annotated)
        {
            var target = _targets[source];
            var format = target.EndsWith(".jpg", StringComparison.Ordinal) ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
            var bytes = PhotoAnnotator.Encode(annotated, format);
            var temp = target + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, target, overwrite: true);
        }
    }
}
