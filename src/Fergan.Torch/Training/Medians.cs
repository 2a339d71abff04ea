namespace Fergan.Torch.Training;

/// <summary>The median of a benchmark's timed windows: robust to the one slow window a shared machine throws in.</summary>
internal static class Medians
{
    public static double Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("the median of no values is undefined.", nameof(values));
        }
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
