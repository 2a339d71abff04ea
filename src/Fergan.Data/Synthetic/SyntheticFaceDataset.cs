namespace Fergan.Data.Synthetic;

/// <summary>
/// A deterministic, learnable stand-in for FER2013: drawn 48x48 faces whose brow and mouth shapes encode
/// the 7 emotions (<see cref="FaceSketch"/>). Class counts follow FER2013's Training imbalance (disgust is
/// rare) unless <see cref="Balanced"/>; each class is split 80/10/10 into Training/PublicTest/PrivateTest.
/// Face i depends only on (seed, i), so any subset is reproducible. Spec syntax: <c>synthetic[:count[:seed]]</c>.
/// </summary>
public sealed class SyntheticFaceDataset : IFaceDataset
{
    public const string SpecPrefix = "synthetic";
    public const int DefaultCount = 3589;
    public const int DefaultSeed = 2013;

    /// <summary>FER2013 Training counts per emotion, the imbalance the synthetic set imitates.</summary>
    private static readonly int[] Fer2013TrainingCounts = [3995, 436, 4097, 7215, 4830, 3171, 4965];

    public SyntheticFaceDataset(int count = DefaultCount, int seed = DefaultSeed, bool balanced = false)
    {
        if (count < Emotions.Count)
        {
            throw new FerganException($"a synthetic dataset needs at least {Emotions.Count} faces (one per emotion); got {count}.");
        }
        Count = count;
        Seed = seed;
        Balanced = balanced;
    }

    public int Count { get; }
    public int Seed { get; }
    public bool Balanced { get; }

    public string Source => $"{SpecPrefix}:{Count}:{Seed}{(Balanced ? ":balanced" : "")}";
    public string Format => "synthetic";

    /// <summary>Parses <c>synthetic</c>, <c>synthetic:N</c>, <c>synthetic:N:SEED</c>, optionally ending in <c>:balanced</c>.</summary>
    public static bool TryParseSpec(string spec, out SyntheticFaceDataset? dataset)
    {
        dataset = null;
        var parts = spec.Split(':');
        if (!parts[0].Equals(SpecPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var balanced = parts[^1].Equals("balanced", StringComparison.OrdinalIgnoreCase);
        var numbers = balanced ? parts[1..^1] : parts[1..];
        if (numbers.Length > 2 || numbers.Any(n => !int.TryParse(n, out var v) || v < 0))
        {
            throw new FerganException($"'{spec}' is not a synthetic dataset spec; use synthetic[:count[:seed]][:balanced], e.g. synthetic:3589:2013.");
        }
        var count = numbers.Length > 0 ? int.Parse(numbers[0]) : DefaultCount;
        var seed = numbers.Length > 1 ? int.Parse(numbers[1]) : DefaultSeed;
        dataset = new SyntheticFaceDataset(count, seed, balanced);
        return true;
    }

    /// <summary>Faces per emotion: FER2013's Training proportions (at least 1 each), or equal when balanced.</summary>
    public int[] ClassCounts()
    {
        var weights = Balanced ? Enumerable.Repeat(1.0, Emotions.Count).ToArray() : Fer2013TrainingCounts.Select(c => (double)c).ToArray();
        var total = weights.Sum();
        var counts = weights.Select(w => Math.Max(1, (int)Math.Floor(Count * w / total))).ToArray();
        // Hand out the rounding remainder to the largest classes first, deterministically.
        var order = Enumerable.Range(0, counts.Length).OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
        for (var k = 0; counts.Sum() < Count; k++)
        {
            counts[order[k % order.Length]]++;
        }
        return counts;
    }

    public IEnumerable<FaceRecord> Read(IngestReport report, CancellationToken cancellationToken = default)
    {
        var counts = ClassCounts();
        var plan = new List<(int Row, Emotion Emotion, DataSplit Split)>(Count);
        foreach (var emotion in Emotions.All)
        {
            var n = counts[(int)emotion];
            var nTrain = (int)Math.Round(n * 0.8);
            var nVal = (int)Math.Round(n * 0.1);
            for (var k = 0; k < n; k++)
            {
                var split = k < nTrain ? DataSplit.Training : k < nTrain + nVal ? DataSplit.PublicTest : DataSplit.PrivateTest;
                plan.Add((plan.Count, emotion, split));
            }
        }
        // Each face depends only on (seed, row), so drawing in parallel keeps the output identical.
        return plan.AsParallel().AsOrdered().WithCancellation(cancellationToken)
            .Select(p => new FaceRecord(p.Row, p.Emotion, p.Split, FaceSketch.Draw(p.Emotion, HashSeed(Seed, p.Row))));
    }

    /// <summary>A fixed mix of (seed, index) (SplitMix64 finaliser); HashCode is randomised per process, so not used.</summary>
    private static int HashSeed(int seed, int index)
    {
        var z = unchecked((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }
}
