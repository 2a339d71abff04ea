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
/// <remarks>
/// The answers are remembered per face set (for as long as it lives) and per near-duplicate setting: an experiment
/// grid scores a dozen models on one split of one set, and the near search, seconds to minutes, then runs once.
/// </remarks>
public static class TrainingOverlap
{
    private sealed class Answers
    {
        public DuplicateReport? Exact;
        public readonly Dictionary<NearDuplicateOptions, Dictionary<int, bool>> Near = [];
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<FaceSet, Answers> Remembered = new();

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
        var answers = Remembered.GetValue(faces, _ => new Answers());
        // One caller at a time: a second one asking meanwhile waits for the answers rather than searching again.
        lock (answers)
        {
            var exact = answers.Exact ??= DuplicateReport.Find(faces);
            var kept = indices.Where(i => !exact.AlsoInTraining(faces, i)).ToArray();
            if (mode == TrainingDuplicates.Exact)
            {
                return kept;
            }
            near ??= new NearDuplicateOptions();
            if (!answers.Near.TryGetValue(near, out var known))
            {
                answers.Near[near] = known = [];
            }
            var unknown = kept.Where(i => !known.ContainsKey(i)).ToArray();
            if (unknown.Length > 0)
            {
                var found = NearDuplicateSearch.FindInTraining(faces, unknown, near, cancellationToken).Select(m => m.Query).ToHashSet();
                foreach (var i in unknown)
                {
                    known[i] = found.Contains(i);
                }
            }
            return kept.Where(i => !known[i]).ToArray();
        }
    }
}
