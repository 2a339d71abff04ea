namespace Fergan.Data.Evaluation;

/// <summary>One non-empty bin of a reliability table: predictions whose confidence (top probability) lies in (Low, High].</summary>
public sealed record CalibrationBin(double Low, double High, int Count, double MeanConfidence, double Accuracy);

/// <summary>
/// How far a classifier's probabilities are from what happens: the expected calibration error (ECE: over equal-width
/// confidence bins, the share of predictions in each bin times the gap between its mean confidence and its accuracy),
/// the largest such gap (MCE), and the log loss (mean negative log-probability of the true class). The photo pipeline
/// shows "happy 83%": ECE says how far such numbers are from the hit rate on faces like FER2013's.
/// </summary>
/// <remarks>
/// ECE with 15 equal-width bins, as Guo et al. (2017, "On Calibration of Modern Neural Networks") report it, so the
/// numbers compare with the literature's; an empty bin adds nothing. Needs probabilities (rows summing to 1), not raw
/// scores.
/// </remarks>
public sealed record Calibration(double ExpectedCalibrationError, double MaximumCalibrationError, double LogLoss, int BinCount, IReadOnlyList<CalibrationBin> Bins)
{
    public const int DefaultBins = 15;

    /// <summary>The headline numbers as one clause, as `evaluate` prints them and its report writes them.</summary>
    public string Summary() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"ECE {ExpectedCalibrationError:0.000} over {BinCount} confidence bins (0 when the top probability matches the hit rate), largest bin gap {MaximumCalibrationError:0.000}, log loss {LogLoss:0.000}");

    public static Calibration Compute(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities, int bins = DefaultBins)
    {
        if (truth.Count != probabilities.Count)
        {
            throw new ArgumentException($"{truth.Count} labels but {probabilities.Count} predictions.");
        }
        if (truth.Count == 0)
        {
            throw new FerganException("there is nothing to evaluate: the split holds no faces.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var count = new int[bins];
        var confidenceSum = new double[bins];
        var correct = new int[bins];
        double logLoss = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            var p = probabilities[i];
            var predicted = ClassificationMetrics.ArgMax(p);
            var confidence = (double)p[predicted];
            // Bin b holds (b/bins, (b+1)/bins]; a confidence of exactly 0 (impossible for a top probability) joins bin 0.
            var b = Math.Clamp((int)Math.Ceiling(confidence * bins) - 1, 0, bins - 1);
            count[b]++;
            confidenceSum[b] += confidence;
            correct[b] += predicted == truth[i] ? 1 : 0;
            logLoss -= Math.Log(Math.Max(p[truth[i]], 1e-12));
        }
        // Only bins that hold predictions: an empty one has no confidence or accuracy to report.
        var filled = Enumerable.Range(0, bins).Where(b => count[b] > 0)
            .Select(b => new CalibrationBin((double)b / bins, (double)(b + 1) / bins, count[b], confidenceSum[b] / count[b], (double)correct[b] / count[b]))
            .ToList();
        return new Calibration(
            filled.Sum(bin => bin.Count * Math.Abs(bin.Accuracy - bin.MeanConfidence)) / truth.Count,
            filled.Max(bin => Math.Abs(bin.Accuracy - bin.MeanConfidence)),
            logLoss / truth.Count,
            bins,
            filled);
    }
}
