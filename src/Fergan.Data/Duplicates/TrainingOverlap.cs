namespace Fergan.Data.Duplicates;

/// <summary>Which test faces count as also being in Training, for scores "without Training duplicates".</summary>
public enum TrainingDuplicates
{
    /// <summary>Score every face.</summary>
    Keep,

    /// <summary>Leave out faces whose exact pixels also occur in Training (<see cref="DuplicateReport"/>).</summary>
    Exact,

    /// <summary>
    /// Leave out those and also faces that are the same picture as a Training face without being byte-identical:
    /// re-encoded, brightened, mirrored or cropped a few pixels off (<see cref="NearDuplicateSearch"/>).
    /// </summary>
    Near,
}

/// <summary>Removes the test faces that also occur in Training, exactly or nearly.</summary>
public static class TrainingOverlap
{
    /// <summary>
    /// <paramref name="indices"/> without the faces that <paramref name="mode"/> counts as Training duplicates, in
    /// their order; <paramref name="near"/> sets what "near" means (default: <see cref="NearDuplicateOptions"/>).
    /// </summary>
    public static int[] Without(FaceSet faces, int[] indices, TrainingDuplicates mode, NearDuplicateOptions? near = null,
        CancellationToken cancellationToken = default)
    {
        if (mode == TrainingDuplicates.Keep)
        {
            return indices;
        }
        var exact = DuplicateReport.Find(faces);
        var kept = indices.Where(i => !exact.AlsoInTraining(faces, i)).ToArray();
        if (mode == TrainingDuplicates.Exact)
        {
            return kept;
        }
        var nearOnes = NearDuplicateSearch.FindInTraining(faces, kept, near, cancellationToken).Select(m => m.Query).ToHashSet();
        return kept.Where(i => !nearOnes.Contains(i)).ToArray();
    }
}
