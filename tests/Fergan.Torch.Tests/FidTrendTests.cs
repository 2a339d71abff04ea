using Fergan.Torch.Gan.Evaluation;

namespace Fergan.Torch.Tests;

public sealed class FidTrendTests
{
    [Fact]
    public void The_full_h100_run_falls_overall_but_not_per_emotion()
    {
        // results/gpu-h100-gan-full-2026-11-27: overall FID and three emotions' at steps 1,000-5,000.
        (int, double, IReadOnlyDictionary<string, double>) At(int step, double fid, double angry, double happy, double fear) =>
            (step, fid, new Dictionary<string, double> { ["angry"] = angry, ["happy"] = happy, ["fear"] = fear });
        var trend = FidTrend.Of([
            At(1000, 9.28, 14.45, 12.38, 13.60),
            At(2000, 3.46, 11.93, 6.62, 7.69),
            At(3000, 3.25, 8.02, 4.90, 10.59),
            At(4000, 2.36, 8.21, 4.69, 7.46),
            At(5000, 1.83, 6.49, 4.14, 6.82),
        ]);

        Assert.Null(trend.Overall);
        Assert.Null(trend.PerClass["happy"]);
        Assert.Equal(new FidRise(4000, 8.02, 8.21), trend.PerClass["angry"]);
        Assert.Equal(new FidRise(3000, 7.69, 10.59), trend.PerClass["fear"]);   // the first rise, not the largest
        Assert.False(trend.FallsEverywhere);
    }

    [Fact]
    public void An_unchanged_value_counts_as_not_falling()
    {
        Assert.Equal(new FidRise(2, 5.0, 5.0), FidTrend.FirstRise([(1, 5.0), (2, 5.0)]));
        Assert.Null(FidTrend.FirstRise([(1, 5.0), (2, 4.9), (3, 1.0)]));
        Assert.True(FidTrend.Of([(1, 3.0, new Dictionary<string, double> { ["sad"] = 2 }), (2, 2.0, new Dictionary<string, double> { ["sad"] = 1 })]).FallsEverywhere);
    }
}
