using Fergan.Data;

namespace Fergan.Torch.Classifier;

/// <summary>
/// Several classifiers scored as one: each face's probabilities are the mean of the members' (each member with
/// ten-crop views first, when asked). Averaging probabilities rather than logits keeps a confident member from
/// outvoting the others by its scale alone, and it is what ten-crop TTA does across views.
/// </summary>
public sealed class EnsemblePredictor : IEmotionPredictor
{
    private readonly IReadOnlyList<IEmotionPredictor> _members;

    /// <summary>Takes ownership of the members: disposing the ensemble disposes them.</summary>
    public EnsemblePredictor(IReadOnlyList<IEmotionPredictor> members)
    {
        if (members.Count < 2)
        {
            throw new ArgumentException("an ensemble needs at least two members.", nameof(members));
        }
        _members = members;
    }

    public string Folder => string.Join(" + ", _members.Select(m => m.Folder));

    public float[][] Predict(FaceSet faces, IReadOnlyList<int> indices, bool tta = false, int batchSize = 256)
    {
        var mean = new float[indices.Count][];
        for (var m = 0; m < _members.Count; m++)
        {
            var probabilities = _members[m].Predict(faces, indices, tta, batchSize);
            for (var i = 0; i < probabilities.Length; i++)
            {
                var row = mean[i] ??= new float[probabilities[i].Length];
                if (row.Length != probabilities[i].Length)
                {
                    throw new FerganException($"{_members[m].Folder} predicts {probabilities[i].Length} classes, {_members[0].Folder} {row.Length}: an ensemble needs the same classes.");
                }
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] += probabilities[i][c] / _members.Count;
                }
            }
        }
        return mean;
    }

    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Dispose();
        }
    }
}
