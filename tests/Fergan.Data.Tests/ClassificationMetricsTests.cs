using Fergan.Data.Evaluation;

namespace Fergan.Data.Tests;

public sealed class ClassificationMetricsTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    private static float[] OneHot(int c, float confidence = 0.8f)
    {
        var p = Enumerable.Repeat((1 - confidence) / 2, 3).ToArray();
        p[c] = confidence;
        return p;
    }

    [Fact]
    public void Scores_match_values_computed_by_hand()
    {
        // truth:     a a a a b b c c c c
        // predicted: a a a b b c c c c a
        int[] truth = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
        int[] predicted = [0, 0, 0, 1, 1, 2, 2, 2, 2, 0];
        var m = ClassificationMetrics.Compute(truth, predicted.Select(p => OneHot(p)).ToList(), Names);

        Assert.Equal(0.7, m.Accuracy, 12);
        // a: tp 3, predicted 4, support 4 -> P .75 R .75 F1 .75
        Assert.Equal(0.75, m.PerClass["a"].Precision, 12);
        Assert.Equal(0.75, m.PerClass["a"].Recall, 12);
        // b: tp 1, predicted 2, support 2 -> P .5 R .5 F1 .5
        Assert.Equal(0.5, m.PerClass["b"].F1, 12);
        // c: tp 3, predicted 4, support 4 -> .75
        Assert.Equal(0.75, m.PerClass["c"].F1, 12);
        Assert.Equal((0.75 + 0.5 + 0.75) / 3, m.MacroF1, 12);
        Assert.Equal((0.75 + 0.5 + 0.75) / 3, m.BalancedAccuracy, 12);
        Assert.Equal([3, 1, 0], m.ConfusionMatrix[0]);
        Assert.Equal([1, 0, 3], m.ConfusionMatrix[2]);
        Assert.Equal(4, m.PerClass["c"].Support);
    }

    [Fact]
    public void Macro_scores_leave_out_a_class_that_is_neither_true_nor_predicted_but_count_one_only_predicted()
    {
        // c never occurs: truth a a b b, predicted a b b b. a: F1 2/3; b: P 2/3 R 1 F1 0.8.
        var m = ClassificationMetrics.Compute([0, 0, 1, 1], new[] { 0, 1, 1, 1 }.Select(p => OneHot(p)).ToList(), Names);
        Assert.Equal((2.0 / 3 + 0.8) / 2, m.MacroF1, 12);
        Assert.Equal((0.5 + 1.0) / 2, m.BalancedAccuracy, 12);
        Assert.Equal(0, m.PerClass["c"].Support);
        Assert.True(double.IsNaN(m.PerClass["c"].RocAuc));
        var interval = BootstrapIntervals.Compute([0, 0, 1, 1], new[] { 0, 1, 1, 1 }.Select(p => OneHot(p)).ToList(), Names, 200);
        // Resamples averaged over all three classes would all lie at or below (1 + 1) / 3, under the estimate.
        Assert.InRange(m.MacroF1, interval.MacroF1.Low, interval.MacroF1.High);

        // A class predicted but never true is scored, with F1 0 (truth a a b b, predicted a c b b).
        var wrong = ClassificationMetrics.Compute([0, 0, 1, 1], new[] { 0, 2, 1, 1 }.Select(p => OneHot(p)).ToList(), Names);
        Assert.Equal((2.0 / 3 + 1.0 + 0) / 3, wrong.MacroF1, 12);
    }

    [Fact]
    public void Roc_auc_is_the_rank_probability_with_ties_counted_half()
    {
        int[] truth = [1, 1, 0, 0];
        // class-1 scores: positives 0.9 and 0.4, negatives 0.4 and 0.1
        // pairs: (0.9>0.4) 1, (0.9>0.1) 1, (0.4=0.4) 0.5, (0.4>0.1) 1 -> 3.5 / 4
        float[][] p = [[0.1f, 0.9f], [0.6f, 0.4f], [0.6f, 0.4f], [0.9f, 0.1f]];
        Assert.Equal(0.875, ClassificationMetrics.RocAuc(truth, p, 1), 12);
        Assert.True(double.IsNaN(ClassificationMetrics.RocAuc([0, 0], [[0.5f, 0.5f], [0.2f, 0.8f]], 1)));
    }

    [Fact]
    public void Bootstrap_intervals_contain_the_estimate_and_narrow_with_more_faces()
    {
        var random = new Random(1);
        List<int> truth = [];
        List<float[]> probabilities = [];
        for (var i = 0; i < 2000; i++)
        {
            var t = random.Next(3);
            truth.Add(t);
            probabilities.Add(OneHot(random.NextDouble() < 0.7 ? t : (t + 1) % 3));
        }
        var small = BootstrapIntervals.Compute(truth.Take(100).ToList(), probabilities.Take(100).ToList(), Names, 300);
        var large = BootstrapIntervals.Compute(truth, probabilities, Names, 300);
        foreach (var e in new[] { small.Accuracy, small.MacroF1, large.Accuracy, large.MacroF1 })
        {
            Assert.InRange(e.Value, e.Low, e.High);
        }
        Assert.True(large.Accuracy.High - large.Accuracy.Low < small.Accuracy.High - small.Accuracy.Low);
        Assert.InRange(large.Accuracy.Value, 0.66, 0.74);
    }

    [Fact]
    public void Mean_interval_over_seeds_uses_the_t_distribution()
    {
        var e = BootstrapIntervals.MeanWithInterval([0.60, 0.62, 0.64]);
        Assert.Equal(0.62, e.Value, 12);
        // sd 0.02, t(2) 4.303, sqrt(3): half-width 0.04969
        Assert.Equal(0.62 - 4.303 * 0.02 / Math.Sqrt(3), e.Low, 6);
        Assert.True(double.IsNaN(BootstrapIntervals.MeanWithInterval([0.5]).Low));
    }

    [Fact]
    public void Mean_interval_stays_inside_the_metrics_range()
    {
        // Disgust F1 of three seeds, one of which never predicts disgust: t(2) reaches below zero.
        var f1 = BootstrapIntervals.MeanWithInterval([0.0, 0.05, 0.15], min: 0, max: 1);
        var open = BootstrapIntervals.MeanWithInterval([0.0, 0.05, 0.15]);

        Assert.True(open.Low < 0);
        Assert.Equal(0, f1.Low);
        Assert.Equal(open.High, f1.High, 12);
        Assert.Equal(1, BootstrapIntervals.MeanWithInterval([0.9, 0.99, 1.0], min: 0, max: 1).High);
    }

    [Fact]
    public void Empty_input_is_a_clear_error()
    {
        var e = Assert.Throws<FerganException>(() => ClassificationMetrics.Compute([], [], Names));
        Assert.Contains("nothing to evaluate", e.Message);
    }
}
