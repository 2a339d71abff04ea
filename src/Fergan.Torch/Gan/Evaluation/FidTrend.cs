namespace Fergan.Torch.Gan.Evaluation;

/// <summary>Where a score measured at successive checkpoints first went up: the step and the values either side.</summary>
public sealed record FidRise(int Step, double From, double To);

/// <summary>
/// Whether FID fell at every recorded checkpoint of a run (issue 3's target, overall and per emotion), and where not,
/// the first rise, so a table of five checkpoints and eight columns need not be read by eye.
/// </summary>
public sealed record FidTrend(FidRise? Overall, IReadOnlyDictionary<string, FidRise?> PerClass)
{
    public bool FallsEverywhere => Overall is null && PerClass.Values.All(r => r is null);

    /// <summary>The first checkpoint whose value is not below the one before it, or null when each is lower.</summary>
    public static FidRise? FirstRise(IReadOnlyList<(int Step, double Value)> series)
    {
        for (var k = 1; k < series.Count; k++)
        {
            if (series[k].Value >= series[k - 1].Value)
            {
                return new FidRise(series[k].Step, series[k - 1].Value, series[k].Value);
            }
        }
        return null;
    }

    /// <summary>The trend of checkpoints given in step order: overall FID and FID per emotion.</summary>
    public static FidTrend Of(IReadOnlyList<(int Step, double Fid, IReadOnlyDictionary<string, double> PerClass)> checkpoints)
    {
        var classes = checkpoints.Count == 0 ? [] : checkpoints[0].PerClass.Keys.ToList();
        return new FidTrend(
            FirstRise(checkpoints.Select(c => (c.Step, c.Fid)).ToList()),
            classes.ToDictionary(e => e, e => FirstRise(checkpoints.Select(c => (c.Step, c.PerClass[e])).ToList())));
    }
}
