namespace Fergan.Data.Splitting;

/// <summary>
/// Splits a set into Training / PublicTest / PrivateTest per class with fixed fractions (80/10/10 by default,
/// the layout of the seed report) and a seeded shuffle, so the same seed always gives the same split.
/// </summary>
public sealed record StratifiedSplit(double Training = 0.8, double Validation = 0.1, int Seed = 2013)
{
    public double Test => 1 - Training - Validation;

    public string Describe() =>
        $"stratified {Training * 100:0}/{Validation * 100:0}/{Test * 100:0} (Training/PublicTest/PrivateTest), seed {Seed}";

    public FaceSet Apply(FaceSet faces)
    {
        if (Training <= 0 || Validation < 0 || Test < -1e-9)
        {
            throw new FerganException($"split fractions must be positive and sum to at most 1 (got {Training}/{Validation}).");
        }
        var splits = new DataSplit[faces.Count];
        var random = new Random(Seed);
        foreach (var emotion in Emotions.All)
        {
            var members = Enumerable.Range(0, faces.Count).Where(i => faces.Label(i) == emotion).ToArray();
            random.Shuffle(members);
            // Rounding per class keeps every class's share within one face of the target.
            var nTrain = (int)Math.Round(members.Length * Training);
            var nVal = Math.Min(members.Length - nTrain, (int)Math.Round(members.Length * Validation));
            for (var k = 0; k < members.Length; k++)
            {
                splits[members[k]] = k < nTrain ? DataSplit.Training : k < nTrain + nVal ? DataSplit.PublicTest : DataSplit.PrivateTest;
            }
        }
        return faces.WithSplits(splits, faces.Provenance with { SplitMethod = Describe() });
    }
}

/// <summary>
/// Takes a stratified, seeded validation split (PublicTest) out of Training and leaves every other face where the
/// source put it. For sources that ship a train and a test split only, as the common Kaggle folder release of
/// FER2013 does (train/, test/): selection then never looks at the test faces, and Training keeps the rest.
/// </summary>
public sealed record ValidationFromTraining(double Fraction = 0.1, int Seed = 2013)
{
    public string Describe(string sourceMethod) =>
        $"{sourceMethod}; PublicTest a stratified {Fraction * 100:0} % of Training, seed {Seed}";

    public FaceSet Apply(FaceSet faces)
    {
        if (Fraction is <= 0 or >= 1)
        {
            throw new FerganException($"the validation fraction must be between 0 and 1 (got {Fraction}).");
        }
        var splits = Enumerable.Range(0, faces.Count).Select(faces.Split).ToArray();
        var random = new Random(Seed);
        foreach (var emotion in Emotions.All)
        {
            var members = Enumerable.Range(0, faces.Count)
                .Where(i => faces.Split(i) == DataSplit.Training && faces.Label(i) == emotion).ToArray();
            random.Shuffle(members);
            // Per class, as StratifiedSplit rounds; a class with a single Training face keeps it for training.
            var nValidation = Math.Min(members.Length - 1, (int)Math.Round(members.Length * Fraction));
            foreach (var i in members.Take(Math.Max(0, nValidation)))
            {
                splits[i] = DataSplit.PublicTest;
            }
        }
        return faces.WithSplits(splits, faces.Provenance with { SplitMethod = Describe(faces.Provenance.SplitMethod) });
    }
}
