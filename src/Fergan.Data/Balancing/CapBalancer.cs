namespace Fergan.Data.Balancing;

/// <summary>
/// The seed report's trimming: keep at most <see cref="MaxPerClass"/> faces of each emotion in one split
/// (Training by default), chosen by a seeded shuffle; other splits are untouched, so evaluation stays comparable.
/// </summary>
public sealed record CapBalance(int MaxPerClass, int Seed = 2013, DataSplit Split = DataSplit.Training)
{
    public string Describe() => $"cap {Split} at {MaxPerClass} faces per class, seed {Seed}";

    public BalanceResult Apply(FaceSet faces)
    {
        var result = faces.Select(KeptIndices(faces), faces.Provenance.WithOperation(Describe()));
        return new BalanceResult(Describe(), Counts(faces), Counts(result), result);
    }

    /// <summary>Indices of the faces the cap keeps (every face of the other splits, at most MaxPerClass per emotion of this one), in order.</summary>
    public int[] KeptIndices(FaceSet faces)
    {
        if (MaxPerClass < 1)
        {
            throw new FerganException($"--max-per-class must be at least 1 (got {MaxPerClass}).");
        }
        var random = new Random(Seed);
        var keep = new bool[faces.Count];
        foreach (var emotion in Emotions.All)
        {
            var members = Enumerable.Range(0, faces.Count).Where(i => faces.Split(i) == Split && faces.Label(i) == emotion).ToArray();
            random.Shuffle(members);
            foreach (var i in members.Take(MaxPerClass))
            {
                keep[i] = true;
            }
        }
        return Enumerable.Range(0, faces.Count).Where(i => faces.Split(i) != Split || keep[i]).ToArray();
    }

    private int[] Counts(FaceSet faces)
    {
        var all = faces.CountsBySplitAndClass();
        return Emotions.All.Select(e => all[(int)Split, (int)e]).ToArray();
    }
}

/// <summary>Per-class counts of the balanced split before and after, and the new set.</summary>
public sealed record BalanceResult(string Operation, int[] Before, int[] After, FaceSet Faces)
{
    public int Removed => Before.Sum() - After.Sum();
}
