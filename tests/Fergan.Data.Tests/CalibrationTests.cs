using Fergan.Data.Evaluation;

namespace Fergan.Data.Tests;

public sealed class CalibrationTests
{
    [Fact]
    public void Calibration_errors_and_log_loss_match_values_computed_by_hand()
    {
        // Two predictions at confidence 0.9 (one right), two at 0.55 (both right), 10 bins:
        // bin (0.8, 0.9]: confidence 0.9, accuracy 0.5, gap 0.4; bin (0.5, 0.6]: confidence 0.55, accuracy 1, gap 0.45.
        // ECE = 2/4 * 0.4 + 2/4 * 0.45 = 0.425; MCE 0.45; log loss = -(ln 0.9 + ln 0.1 + 2 ln 0.55) / 4.
        int[] truth = [0, 1, 1, 0];
        float[][] probabilities = [[0.9f, 0.1f], [0.9f, 0.1f], [0.45f, 0.55f], [0.55f, 0.45f]];

        var c = Calibration.Compute(truth, probabilities, bins: 10);

        Assert.Equal(0.425, c.ExpectedCalibrationError, 6);
        Assert.Equal(0.45, c.MaximumCalibrationError, 6);
        Assert.Equal(-(Math.Log(0.9) + Math.Log(0.1) + 2 * Math.Log(0.55)) / 4, c.LogLoss, 5);
        Assert.Equal([(0.5, 2, 0.55, 1.0), (0.8, 2, 0.9, 0.5)],
            c.Bins.Select(b => (Math.Round(b.Low, 6), b.Count, Math.Round(b.MeanConfidence, 6), b.Accuracy)).ToArray());
    }

    [Fact]
    public void Probabilities_that_match_the_hit_rate_are_calibrated_and_overconfident_ones_are_not()
    {
        // Predictions at confidence 0.7 that are right 70 % of the time: a perfectly calibrated model.
        var truth = Enumerable.Range(0, 100).Select(i => i % 10 < 7 ? 0 : 1).ToArray();
        var calibrated = Enumerable.Repeat(new[] { 0.7f, 0.3f }, 100).ToArray();
        var overconfident = Enumerable.Repeat(new[] { 0.99f, 0.01f }, 100).ToArray();

        Assert.Equal(0, Calibration.Compute(truth, calibrated).ExpectedCalibrationError, 6);
        Assert.Equal(0.29, Calibration.Compute(truth, overconfident).ExpectedCalibrationError, 6);
        Assert.True(Calibration.Compute(truth, overconfident).LogLoss > Calibration.Compute(truth, calibrated).LogLoss);
        // A confidence of exactly 1 lands in the last bin, not past it.
        Assert.Equal(1.0, Calibration.Compute([0], [[1f, 0f]]).Bins.Single().High, 12);
    }
}
