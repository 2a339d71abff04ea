using Fergan.Data;
using Fergan.Torch.Classifier.Evaluation;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Training;

/// <summary>Saved teacher predictions as the student's card records them: the file, its SHA-256, how many Training faces it covered.</summary>
public sealed record TeacherPredictionsRecord(string File, string Sha256, int Faces);

/// <summary>
/// Distillation from saved predictions instead of live teachers: the probabilities a teacher gave every Training face
/// (`fergan evaluate --split Training --probabilities FILE`, with any number of models and ten-crop TTA), joined to
/// the faces by their source row. Why: the strongest teacher Fergan has is an ensemble with ten-crop TTA, which live
/// would cost ten forward passes per member at every step; saved, it costs nothing per step. The price: the targets
/// belong to the clean face, not to the augmented view the student sees (Beyer et al. 2022 found that a teacher
/// seeing the student's view distils better over long schedules); crops, flips and small turns keep the expression.
/// </summary>
public sealed class TeacherPredictions
{
    private readonly float[] _probabilities; // [N, 7], in the order of the Training indices given to Load

    private TeacherPredictions(float[] probabilities, TeacherPredictionsRecord record)
    {
        _probabilities = probabilities;
        Record = record;
    }

    public TeacherPredictionsRecord Record { get; }

    /// <summary>
    /// The predictions for <paramref name="indices"/> (faces of <paramref name="data"/>), from the file at
    /// <paramref name="path"/>. Every face needs exactly one row with its source row and its label: a file of another
    /// dataset, another labelling (FER+) or another split is refused with the first face it lacks or contradicts.
    /// </summary>
    public static TeacherPredictions Load(string path, FaceSet data, IReadOnlyList<int> indices)
    {
        var rows = EvaluatedFacesCsv.Read(path);
        var bySourceRow = new Dictionary<int, EvaluatedFaceRow>(rows.Count);
        foreach (var row in rows)
        {
            if (!bySourceRow.TryAdd(row.SourceRow, row))
            {
                throw new DataFormatException(path, row.Line, $"source row {row.SourceRow} appears twice (first on line {bySourceRow[row.SourceRow].Line}); " +
                                                               "a file of one evaluation has each face once.");
            }
        }
        var probabilities = new float[indices.Count * Emotions.Count];
        var missing = 0;
        int? firstMissing = null;
        for (var k = 0; k < indices.Count; k++)
        {
            var face = indices[k];
            var sourceRow = data.SourceRow(face);
            if (!bySourceRow.TryGetValue(sourceRow, out var row))
            {
                missing++;
                firstMissing ??= sourceRow;
                continue;
            }
            if (row.Label != data.Label(face))
            {
                throw new DataFormatException(path, row.Line, $"source row {sourceRow} is labelled {row.Label.Name()} here but {data.Label(face).Name()} in {data.Provenance.Source}: " +
                                                              "predictions made for another dataset or labelling.");
            }
            row.Probabilities.CopyTo(probabilities, k * Emotions.Count);
        }
        if (missing > 0)
        {
            throw new DataFormatException(path, null, $"has no row for {missing:N0} of the {indices.Count:N0} Training faces of {data.Provenance.Source} (the first: source row {firstMissing}); " +
                                                      "write it with `fergan evaluate --split Training --probabilities` on the same data.");
        }
        return new TeacherPredictions(probabilities, new TeacherPredictionsRecord(Path.GetFullPath(path), Sha256(path), indices.Count));
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>
    /// The targets at softmax temperature <paramref name="temperature"/>: p^(1/T), renormalised, which is exactly
    /// softmax(logits / T) for one network's softmax and its natural extension to a mean over crops or members.
    /// [N, 7] float32 on <paramref name="device"/>.
    /// </summary>
    public Tensor Targets(double temperature, Device device)
    {
        using var scope = NewDisposeScope();
        var p = tensor(_probabilities, _probabilities.Length / Emotions.Count, Emotions.Count);
        // Done in log space (log(0) = -inf gives 0 again) so small probabilities raised to 1/T do not underflow first.
        var softened = nn.functional.softmax(p.log().div(temperature), 1);
        return softened.to(device).MoveToOuterDisposeScope();
    }
}
