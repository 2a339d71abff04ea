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
    public static void Write(EvaluatedFaces faces, string path)
    {
        var text = new StringBuilder("index,source_row,label," + string.Join(',', Emotions.Names) + "\n");
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
}
