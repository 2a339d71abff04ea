namespace Fergan.Data.Evaluation;

/// <summary>A point estimate with its 95% confidence interval.</summary>
public sealed record Estimate(double Value, double Low, double High)
{
    public override string ToString() => $"{Value:0.000} [{Low:0.000}, {High:0.000}]";
}

/// <summary>
/// 95% percentile-bootstrap intervals for accuracy, macro-F1 and each class's F1: resample the evaluated faces with
/// replacement, recompute, take the 2.5th and 97.5th percentiles. Seeded, so a report is reproducible.
/// </summary>
public static class BootstrapIntervals
{
    public sealed record Result(Estimate Accuracy, Estimate MacroF1, IReadOnlyDictionary<string, Estimate> ClassF1, int Resamples, int Seed);

    public static Result Compute(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities, IReadOnlyList<string> classNames,
        int resamples = 1000, int seed = 2013)
    {
        var point = ClassificationMetrics.Compute(truth, probabilities, classNames);
        var predicted = probabilities.Select(ClassificationMetrics.ArgMax).ToArray();
        var k = classNames.Count;
        var random = new Random(seed);
        var accuracy = new double[resamples];
        var macro = new double[resamples];
        var perClass = Enumerable.Range(0, k).Select(_ => new double[resamples]).ToArray();
        var confusion = new int[k, k];
        for (var b = 0; b < resamples; b++)
        {
            Array.Clear(confusion);
            for (var i = 0; i < truth.Count; i++)
            {
                var pick = random.Next(truth.Count);
                confusion[truth[pick], predicted[pick]]++;
            }
            var correct = 0;
            double f1Sum = 0;
            var scored = 0; // classes in this resample's truth or predictions (ClassificationMetrics' convention)
            for (var c = 0; c < k; c++)
            {
                correct += confusion[c, c];
                int support = 0, predictedAs = 0;
                for (var j = 0; j < k; j++)
                {
                    support += confusion[c, j];
                    predictedAs += confusion[j, c];
                }
                var f1 = support + predictedAs == 0 ? 0 : 2.0 * confusion[c, c] / (support + predictedAs);
                perClass[c][b] = f1;
                f1Sum += f1;
                scored += support + predictedAs == 0 ? 0 : 1;
            }
            accuracy[b] = (double)correct / truth.Count;
            macro[b] = f1Sum / scored;
        }
        return new Result(
            Interval(point.Accuracy, accuracy),
            Interval(point.MacroF1, macro),
            Enumerable.Range(0, k).ToDictionary(c => classNames[c], c => Interval(point.PerClass[classNames[c]].F1, perClass[c])),
            resamples, seed);
    }

    /// <summary>
    /// The mean of per-seed values with a 95% Student-t interval (for "mean of 3 seeds" tables), its bounds kept
    /// inside [<paramref name="min"/>, <paramref name="max"/>]: with 3 seeds t is 4.3, and an accuracy or F1 read as
    /// "0.067 [-0.096, 0.230]" claims values no classifier can have.
    /// </summary>
    public static Estimate MeanWithInterval(IReadOnlyList<double> values, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (values.Count == 0)
        {
            return new Estimate(double.NaN, double.NaN, double.NaN);
        }
        var mean = values.Average();
        if (values.Count == 1)
        {
            return new Estimate(mean, double.NaN, double.NaN);
        }
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        var half = StudentT975(values.Count - 1) * sd / Math.Sqrt(values.Count);
        return new Estimate(mean, Math.Max(min, mean - half), Math.Min(max, mean + half));
    }

    /// <summary>97.5th percentile of Student's t for 1-30 degrees of freedom (tables); the normal 1.96 beyond.</summary>
    private static double StudentT975(int degrees)
    {
        double[] table =
        [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ];
        return degrees <= table.Length ? table[degrees - 1] : 1.96;
    }

    private static Estimate Interval(double value, double[] samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Clamp((int)Math.Floor(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
        return new Estimate(value, At(0.025), At(0.975));
    }
}
