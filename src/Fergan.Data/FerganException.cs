using Fergan.Data;

namespace Fergan;

/// <summary>
/// Base of every error Fergan reports to a user: the message alone must say what is wrong and,
/// where it can, what to do. The CLI prints it without a stack trace and exits with 1.
/// </summary>
public class FerganException : Exception
{
    public FerganException(string message) : base(message) { }
    public FerganException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A dataset file or folder that cannot be read as asked. Messages name the file and line.</summary>
public sealed class DataFormatException : FerganException
{
    public string File { get; }
    public long? Line { get; }

    public DataFormatException(string source, long? line, string problem)
        : base(Format(source, line, problem))
    {
        File = source;
        Line = line;
        Problem = problem;
    }

    /// <summary>The problem without the location prefix (used for skip reports).</summary>
    public string Problem { get; }

    private static string Format(string source, long? line, string problem) =>
        line is { } l ? $"{source}, line {l}: {problem}" : $"{source}: {problem}";

    public static DataFormatException EmptyFile(string file) =>
        new(file, null, "the file is empty; expected a FER2013 CSV with the header 'emotion,pixels,Usage'.");

    public static DataFormatException BadPixelCount(string file, long line, int count) =>
        new(file, line, $"expected {FaceImage.PixelCount} pixel values (48x48), found {count}.");

    public static DataFormatException BadPixelValue(string file, long line, int position, string token) =>
        new(file, line, $"pixel {position} is '{Shorten(token)}', not an integer from 0 to 255.");

    public static DataFormatException BadLabel(string file, long line, string token) =>
        new(file, line, $"emotion '{Shorten(token)}' is not a FER2013 label (0-6: {string.Join(", ", Emotions.Names)}).");

    public static DataFormatException BadUsage(string file, long line, string token) =>
        new(file, line, $"Usage '{Shorten(token)}' is not one of {string.Join(", ", Enum.GetNames<DataSplit>())}.");

    public static DataFormatException FieldCount(string file, long line, int expected, int found) =>
        new(file, line, $"expected {expected} comma-separated fields, found {found} (truncated or malformed line).");

    /// <summary>A token cut to 24 characters for an error message.</summary>
    public static string Shorten(string token) => token.Length <= 24 ? token : token[..21] + "...";
}
