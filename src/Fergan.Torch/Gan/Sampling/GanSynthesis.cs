using System.Globalization;
using Fergan.Data;

namespace Fergan.Torch.Gan.Sampling;

/// <summary>How many faces each emotion should have in the Training split after synthesis.</summary>
public abstract record SynthesisTarget
{
    /// <summary>Every emotion up to the largest one's count.</summary>
    public sealed record Balance : SynthesisTarget;

    /// <summary>Every emotion up to N faces.</summary>
    public sealed record PerClass(int Count) : SynthesisTarget;

    /// <summary>Every emotion up to ratio x the largest emotion's count (1.0 = balance, 2.0 = balanced and doubled).</summary>
    public sealed record Ratio(double Value) : SynthesisTarget;

    /// <summary>Parses "balance", an integer N, or a ratio such as 0.5 or 1.5x.</summary>
    public static SynthesisTarget Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "balance")
        {
            return new Balance();
        }
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            return new PerClass(n);
        }
        if (double.TryParse(t.TrimEnd('x'), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0 && !t.TrimEnd('x').All(char.IsDigit))
        {
            return new Ratio(r);
        }
        throw new FerganException($"--target '{text}' is not 'balance', a count per class (e.g. 5000) or a ratio of the largest class (e.g. 0.5 or 1.5x).");
    }

    public int[] TargetCounts(int[] current) => this switch
    {
        Balance => current.Select(_ => current.Max()).ToArray(),
        PerClass p => current.Select(_ => p.Count).ToArray(),
        Ratio r => current.Select(_ => (int)Math.Round(r.Value * current.Max())).ToArray(),
        _ => throw new InvalidOperationException(),
    };
}

/// <summary>The augmented set and what was added per emotion.</summary>
public sealed record SynthesisResult(FaceSet Faces, int[] Before, int[] Added)
{
    public int[] After => Before.Zip(Added, (b, a) => b + a).ToArray();
}

/// <summary>
/// Enlarges the Training split with generated faces until each emotion reaches its target (never removes real
/// ones). Generated rows are marked synthetic and get negative source rows, so they are never mistaken for (or
/// joined with) rows of the original file; PublicTest and PrivateTest stay untouched.
/// </summary>
public static class GanSynthesis
{
    public static SynthesisResult Augment(FaceSet faces, GanGenerator generator, SynthesisTarget target, int seed = 2013,
                                          double truncation = double.PositiveInfinity, IProgress<int>? progress = null)
    {
        if (faces.HasSoftLabels)
        {
            throw new FerganException("synthesis keeps hard labels only; load the dataset without --ferplus-mode probability.");
        }
        var counts = faces.CountsBySplitAndClass();
        var before = Emotions.All.Select(e => counts[(int)DataSplit.Training, (int)e]).ToArray();
        var added = target.TargetCounts(before).Zip(before, (t, b) => Math.Max(0, t - b)).ToArray();

        var total = added.Sum();
        var n = faces.Count + total;
        var pixels = new byte[n * FaceImage.PixelCount];
        faces.AllPixels.CopyTo(pixels);
        var labels = faces.Labels.Concat(new Emotion[total]).ToArray();
        var splits = faces.Splits.Concat(new DataSplit[total]).ToArray();
        var rows = Enumerable.Range(0, faces.Count).Select(faces.SourceRow).Concat(Enumerable.Range(1, total).Select(k => -k)).ToArray();
        var synthetic = Enumerable.Range(0, faces.Count).Select(faces.IsSynthetic).Concat(Enumerable.Repeat(true, total)).ToArray();
        var at = faces.Count;
        foreach (var emotion in Emotions.All.Where(e => added[(int)e] > 0))
        {
            // A per-emotion seed keeps each emotion's faces the same whatever the other targets are.
            var generated = generator.SampleFaces(emotion, added[(int)emotion], truncation, seed + (int)emotion);
            foreach (var face in generated)
            {
                face.CopyTo(pixels, at * FaceImage.PixelCount);
                labels[at] = emotion;
                splits[at] = DataSplit.Training;
                at++;
            }
            progress?.Report(at - faces.Count);
        }
        var operation = $"GAN synthesis: +{total} Training faces ({string.Join(", ", Emotions.All.Where(e => added[(int)e] > 0).Select(e => $"{e.Name()} +{added[(int)e]}"))}) " +
                        $"from generator step {generator.Card.Step} ({generator.Card.Data}), target {Describe(target)}, seed {seed}" +
                        (double.IsFinite(truncation) ? $", truncation {truncation}" : "");
        var result = new FaceSet(pixels, labels, splits, rows, synthetic, null, faces.Provenance.WithOperation(operation));
        return new SynthesisResult(result, before, added);
    }

    private static string Describe(SynthesisTarget target) => target switch
    {
        SynthesisTarget.Balance => "balance",
        SynthesisTarget.PerClass p => $"{p.Count} per class",
        SynthesisTarget.Ratio r => $"{r.Value}x the largest class",
        _ => target.ToString(),
    };
}
