using System.IO.Compression;
using System.Text;
using Fergan.Data.Cache;
using Fergan.Data.Imaging;

namespace Fergan.Data.Export;

/// <summary>
/// Writes a <see cref="FaceSet"/> in a format the loaders read back, chosen by the output path:
/// <c>.fgn</c> (Fergan binary, keeps provenance and soft labels), <c>.csv</c> / <c>.csv.gz</c> (FER2013 layout, plus
/// a <c>synthetic</c> column when any face is synthetic), or a folder (<c>&lt;split&gt;/&lt;class&gt;/*.png</c>).
/// Never overwrites an existing output unless asked; files are written to a temporary name and renamed.
/// </summary>
public static class DatasetWriter
{
    public static string Describe(string path) => FormatOf(path) switch
    {
        OutputFormat.Binary => "Fergan binary",
        OutputFormat.Csv => "FER2013 CSV",
        OutputFormat.CsvGz => "FER2013 CSV, gzip",
        _ => "image folders",
    };

    public static void Write(FaceSet faces, string path, bool overwrite)
    {
        var format = FormatOf(path);
        if (format == OutputFormat.Folders)
        {
            WriteFolders(faces, path, overwrite);
            return;
        }
        if (File.Exists(path) && !overwrite)
        {
            throw new FerganException($"{path} already exists; pass --overwrite to replace it.");
        }
        if (Directory.Exists(path))
        {
            throw new FerganException($"{path} is a folder; give a file name ending in .fgn, .csv or .csv.gz.");
        }
        switch (format)
        {
            case OutputFormat.Binary:
                FaceSetFile.Write(faces, path);
                break;
            default:
                WriteAtomically(path, stream =>
                {
                    using var compressed = format == OutputFormat.CsvGz ? new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true) : null;
                    WriteCsv(faces, compressed ?? stream);
                });
                break;
        }
    }

    private enum OutputFormat { Binary, Csv, CsvGz, Folders }

    private static OutputFormat FormatOf(string path) =>
        path.EndsWith(FaceSetFile.Extension, StringComparison.OrdinalIgnoreCase) ? OutputFormat.Binary
        : path.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase) ? OutputFormat.CsvGz
        : path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? OutputFormat.Csv
        : Path.HasExtension(path.TrimEnd('/')) && !Directory.Exists(path)
            ? throw new FerganException($"cannot tell the output format of {path}: use .fgn, .csv, .csv.gz, or a folder name without an extension.")
            : OutputFormat.Folders;

    private static void WriteCsv(FaceSet faces, Stream stream)
    {
        var anySynthetic = Enumerable.Range(0, faces.Count).Any(faces.IsSynthetic);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20, leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine(anySynthetic ? "emotion,pixels,Usage,synthetic" : "emotion,pixels,Usage");
        var line = new StringBuilder(FaceImage.PixelCount * 4 + 32);
        for (var i = 0; i < faces.Count; i++)
        {
            line.Clear().Append((int)faces.Label(i)).Append(',');
            var pixels = faces.Pixels(i);
            for (var p = 0; p < pixels.Length; p++)
            {
                if (p > 0)
                {
                    line.Append(' ');
                }
                line.Append(pixels[p]);
            }
            line.Append(',').Append(faces.Split(i));
            if (anySynthetic)
            {
                line.Append(',').Append(faces.IsSynthetic(i) ? '1' : '0');
            }
            writer.WriteLine(line);
        }
    }

    private static void WriteFolders(FaceSet faces, string root, bool overwrite)
    {
        if (File.Exists(root))
        {
            throw new FerganException($"{root} is a file; image-folder output needs a folder path.");
        }
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any() && !overwrite)
        {
            throw new FerganException($"{root} already exists and is not empty; pass --overwrite to write into it.");
        }
        for (var i = 0; i < faces.Count; i++)
        {
            var dir = Path.Combine(root, SplitFolder(faces.Split(i)), faces.Label(i).Name());
            Directory.CreateDirectory(dir);
            var name = $"{(faces.IsSynthetic(i) ? ImageFolders.ImageFolderDataset.GeneratedPrefix : "")}{faces.SourceRow(i):D6}.png";
            File.WriteAllBytes(Path.Combine(dir, name), GrayFaceDecoder.EncodePng(faces.Pixels(i)));
        }
    }

    private static string SplitFolder(DataSplit split) => split switch
    {
        DataSplit.Training => "train",
        DataSplit.PublicTest => "val",
        _ => "test",
    };

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
