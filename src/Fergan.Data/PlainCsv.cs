namespace Fergan.Data;

/// <summary>
/// The data rows of a small comma-separated file without quoting (FER+ votes, saved probabilities), read after its
/// header: each with its line number for errors, blank lines skipped, and a row of another width refused naming the
/// file and line. (fer2013.csv has its own, faster reader.)
/// </summary>
public static class PlainCsv
{
    public static IEnumerable<(long Line, string[] Fields)> Rows(TextReader reader, string path, int fieldCount)
    {
        long line = 1; // the header
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (text.Trim().Length == 0)
            {
                continue;
            }
            var fields = text.Split(',');
            if (fields.Length != fieldCount)
            {
                throw DataFormatException.FieldCount(path, line, fieldCount, fields.Length);
            }
            yield return (line, fields);
        }
    }
}
