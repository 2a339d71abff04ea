using System.IO.Compression;

namespace Fergan.Data.Fer2013Csv;

/// <summary>
/// Kaggle's <c>fer2013.csv</c> (header <c>emotion,pixels,Usage</c>; 2304 space-separated pixels per row),
/// plain or gzip-compressed (detected from the bytes, not the name). Streams line by line, so the 301 MB
/// file never sits in memory as text. The Usage column is optional: without it faces have no split.
/// </summary>
public sealed class Fer2013CsvDataset(string path) : IFaceDataset
{
    public string Source { get; } = path;
    public string Format => "fer2013-csv";

    public IEnumerable<FaceRecord> Read(IngestReport report, CancellationToken cancellationToken = default)
    {
        using var reader = OpenText(Source);
        var header = ReadLine(reader, 0);
        if (header is null || header.Trim().Length == 0)
        {
            throw DataFormatException.EmptyFile(Source);
        }
        var columns = CsvColumns.FromHeader(Source, header);
        long line = 1;
        var row = 0;
        string? text;
        while ((text = ReadLine(reader, line)) is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            if (text.AsSpan().Trim().IsEmpty)
            {
                continue; // blank lines carry no record (a trailing newline is common)
            }
            var record = ParseRow(text, line, row, columns, atEnd: AtEnd(reader), report);
            row++;
            if (record is { } r)
            {
                yield return r;
            }
        }
        if (line == 1)
        {
            throw new DataFormatException(Source, null, "the file has a header but no data rows.");
        }
    }

    /// <summary>Reads a line, turning a corrupt compressed stream or a read failure into an error that names the place.</summary>
    private string? ReadLine(StreamReader reader, long linesSoFar)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DataFormatException(Source, linesSoFar + 1, $"cannot read past this point: {e.Message} (corrupt or truncated compressed data?)");
        }
    }

    private static bool AtEnd(StreamReader reader)
    {
        try
        {
            return reader.Peek() < 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return false; // the next ReadLine reports it with its line number
        }
    }

    private FaceRecord? ParseRow(string text, long line, int row, CsvColumns columns, bool atEnd, IngestReport report)
    {
        try
        {
            return CsvRowParser.Parse(Source, text, line, row, columns);
        }
        catch (DataFormatException e) when (atEnd)
        {
            // The last line of a file cut short: say so, since that is by far the likeliest cause.
            report.Fail(new DataFormatException(Source, line, e.Problem + " It is the last line: the file may be truncated."));
            return null;
        }
        catch (DataFormatException e)
        {
            report.Fail(e);
            return null;
        }
    }

    private static StreamReader OpenText(string path)
    {
        Stream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, null, $"cannot open the file: {e.Message}");
        }
        if (IsGzip(stream))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }
        return new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 20);
    }

    private static bool IsGzip(Stream stream)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}

/// <summary>Column positions found in the header line.</summary>
internal sealed record CsvColumns(int Emotion, int Pixels, int? Usage, int? Synthetic, int FieldCount)
{
    public static CsvColumns FromHeader(string file, string header)
    {
        var names = header.Split(',').Select(n => n.Trim().Trim('"').ToLowerInvariant()).ToArray();
        var emotion = Array.IndexOf(names, "emotion");
        var pixels = Array.IndexOf(names, "pixels");
        var usage = Array.IndexOf(names, "usage");
        var synthetic = Array.IndexOf(names, "synthetic"); // Fergan's marker for generated faces
        if (emotion < 0 || pixels < 0)
        {
            throw new DataFormatException(file, 1,
                $"header '{DataFormatException.Shorten(header)}' lacks the 'emotion' and 'pixels' columns; expected 'emotion,pixels,Usage' (Kaggle fer2013.csv).");
        }
        return new CsvColumns(emotion, pixels, usage < 0 ? null : usage, synthetic < 0 ? null : synthetic, names.Length);
    }
}

/// <summary>Parses one data line without allocating per pixel.</summary>
internal static class CsvRowParser
{
    public static FaceRecord Parse(string file, string text, long line, int row, CsvColumns columns)
    {
        Span<Range> fields = stackalloc Range[columns.FieldCount + 1];
        var span = text.AsSpan();
        var found = span.Split(fields, ',');
        if (found != columns.FieldCount)
        {
            throw DataFormatException.FieldCount(file, line, columns.FieldCount, span.Count(',') + 1);
        }
        var label = ParseLabel(file, line, Unquote(span[fields[columns.Emotion]]));
        var pixels = ParsePixels(file, line, Unquote(span[fields[columns.Pixels]]));
        DataSplit? split = null;
        if (columns.Usage is { } u)
        {
            var usage = Unquote(span[fields[u]]);
            if (!DataSplits.TryParseUsage(usage, out var s))
            {
                throw DataFormatException.BadUsage(file, line, usage.ToString());
            }
            split = s;
        }
        var isSynthetic = false;
        if (columns.Synthetic is { } sc)
        {
            var flag = Unquote(span[fields[sc]]);
            isSynthetic = flag switch
            {
                "1" => true,
                "0" => false,
                _ => throw new DataFormatException(file, line, $"synthetic flag '{DataFormatException.Shorten(flag.ToString())}' is not 0 or 1."),
            };
        }
        return new FaceRecord(row, label, split, pixels, isSynthetic);
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        return field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Trim() : field;
    }

    private static Emotion ParseLabel(string file, long line, ReadOnlySpan<char> token)
    {
        if (int.TryParse(token, out var value) && value >= 0 && value < Emotions.Count)
        {
            return (Emotion)value;
        }
        throw DataFormatException.BadLabel(file, line, token.ToString());
    }

    private static byte[] ParsePixels(string file, long line, ReadOnlySpan<char> text)
    {
        var pixels = new byte[FaceImage.PixelCount];
        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }
            if (i == text.Length)
            {
                break;
            }
            var start = i;
            var value = 0;
            var valid = true;
            while (i < text.Length && text[i] != ' ')
            {
                var c = text[i];
                if (c is < '0' or > '9' || i - start >= 3)
                {
                    valid = false;
                }
                else
                {
                    value = value * 10 + (c - '0');
                }
                i++;
            }
            if (!valid || value > 255)
            {
                throw DataFormatException.BadPixelValue(file, line, count + 1, text[start..i].ToString());
            }
            if (count < pixels.Length)
            {
                pixels[count] = (byte)value;
            }
            count++;
        }
        if (count != FaceImage.PixelCount)
        {
            throw DataFormatException.BadPixelCount(file, line, count);
        }
        return pixels;
    }
}
