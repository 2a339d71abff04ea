using System.Globalization;
using System.Text;
using Fergan.Data;
using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Evaluation;

/// <summary>
/// The per-face probabilities behind an evaluation as CSV (`fergan evaluate --probabilities`): one row per scored
/// face, its index in the loaded dataset, its row in the source (the CSV's data row from 0, or the file's place in a
/// folder's sorted listing: what joins two evaluations of the same faces under other labels, such as FER+ votes,
/// which drop rows), its true emotion and the seven probabilities. Ensembles can then be compared by averaging these
/// files instead of running every combination of models again (bench/ensemble-cpu.sh).
/// </summary>
public static class EvaluatedFacesCsv
{
    private static readonly string Header = "index,source_row,label," + string.Join(',', Emotions.Names);
    private static readonly Dictionary<string, Emotion> EmotionOfName = Emotions.All.ToDictionary(Emotions.Name);

    public static void Write(EvaluatedFaces faces, string path)
    {
        var text = new StringBuilder(Header + "\n");
        for (var k = 0; k < faces.Indices.Length; k++)
        {
            text.Append(faces.Indices[k].ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(faces.SourceRows[k].ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Emotions.Names[faces.Truth[k]]);
            foreach (var p in faces.Probabilities[k])
            {
                text.Append(',').Append(p.ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        RunDirectory.WriteAtomically(path, temp => File.WriteAllText(temp, text.ToString()));
    }

    /// <summary>
    /// Reads a file <see cref="Write"/> wrote (or one made alike, e.g. the mean of several): one
    /// <see cref="EvaluatedFaceRow"/> per data row. Every problem names the file and line: a header that is not this
    /// format's, a row of the wrong length, a label that is no emotion, or probabilities that are not a distribution.
    /// </summary>
    public static IReadOnlyList<EvaluatedFaceRow> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, "the probabilities file does not exist.");
        }
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new DataFormatException(path, null, "the file is empty; expected the header of `fergan evaluate --probabilities`.");
        if (header.Trim() != Header)
        {
            throw new DataFormatException(path, 1, $"the header is not '{Header}', which `fergan evaluate --probabilities` writes.");
        }
        var rows = new List<EvaluatedFaceRow>();
        foreach (var (line, fields) in PlainCsv.Rows(reader, path, 3 + Emotions.Count))
        {
            if (!int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var sourceRow))
            {
                throw new DataFormatException(path, line, $"source_row '{DataFormatException.Shorten(fields[1])}' is not an integer.");
            }
            if (!EmotionOfName.TryGetValue(fields[2].Trim(), out var label))
            {
                throw new DataFormatException(path, line, $"label '{DataFormatException.Shorten(fields[2])}' is not one of {string.Join(", ", Emotions.Names)}.");
            }
            var probabilities = new float[Emotions.Count];
            for (var c = 0; c < Emotions.Count; c++)
            {
                if (!float.TryParse(fields[3 + c], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || !float.IsFinite(p) || p is < 0 or > 1)
                {
                    throw new DataFormatException(path, line, $"{Emotions.Names[c]} probability '{DataFormatException.Shorten(fields[3 + c])}' is not a number from 0 to 1.");
                }
                probabilities[c] = p;
            }
            // Seven floats written with "R" sum to 1 within about 1e-6; a file of rounded or unnormalised scores does not.
            var sum = probabilities.Sum();
            if (Math.Abs(sum - 1) > 1e-3)
            {
                throw new DataFormatException(path, line, $"the seven probabilities sum to {sum.ToString("0.####", CultureInfo.InvariantCulture)}, not 1.");
            }
            rows.Add(new EvaluatedFaceRow(sourceRow, label, probabilities, line));
        }
        return rows;
    }
}

/// <summary>One face of a probabilities file: its row in the dataset's source, its label there, the seven
/// probabilities, and the file line it came from (for errors that concern it).</summary>
public sealed record EvaluatedFaceRow(int SourceRow, Emotion Label, float[] Probabilities, long Line);
