using System.Runtime.InteropServices;

namespace Fergan.Data.Duplicates;

/// <summary>
/// Exact (byte-identical) duplicate images in a set: groups, cross-split overlaps and label conflicts.
/// FER2013 has many: test images that also occur in Training inflate test scores, so evaluation can
/// exclude them (<see cref="AlsoInTraining"/>).
/// </summary>
public sealed class DuplicateReport
{
    private readonly int[] _groupOf; // group id per face, -1 when unique

    private DuplicateReport(int[] groupOf, List<int[]> groups, FaceSet faces)
    {
        _groupOf = groupOf;
        Groups = groups;
        Faces = faces.Count;
        DistinctImages = faces.Count - groups.Sum(g => g.Length - 1);
        LabelConflictGroups = groups.Count(g => g.Select(faces.Label).Distinct().Count() > 1);
        AllBlackImages = Enumerable.Range(0, faces.Count).Count(i => !faces.Pixels(i).ContainsAnyExcept((byte)0));
        CrossSplit = CountCrossSplit(faces);
        WithinSplit = DataSplits.All.ToDictionary(s => s, s => groups.Sum(g => Math.Max(0, g.Count(i => faces.Split(i) == s) - 1)));
    }

    public int Faces { get; }
    public int DistinctImages { get; }

    /// <summary>Groups of two or more identical images (face indices).</summary>
    public IReadOnlyList<int[]> Groups { get; }

    /// <summary>Groups whose members carry different labels.</summary>
    public int LabelConflictGroups { get; }

    public int AllBlackImages { get; }

    /// <summary>
    /// For each ordered pair (A, B) of different splits: how many images of A also occur in B.
    /// ("PublicTest images also in Training" is [PublicTest, Training].)
    /// </summary>
    public IReadOnlyDictionary<(DataSplit Of, DataSplit AlsoIn), int> CrossSplit { get; }

    /// <summary>Per split: faces beyond the first of each identical group inside that split.</summary>
    public IReadOnlyDictionary<DataSplit, int> WithinSplit { get; }

    /// <summary>True when face <paramref name="index"/> has an identical image in the Training split (other than itself).</summary>
    public bool AlsoInTraining(FaceSet faces, int index)
    {
        var g = _groupOf[index];
        return g >= 0 && Groups[g].Any(j => j != index && faces.Split(j) == DataSplit.Training);
    }

    public static DuplicateReport Find(FaceSet faces)
    {
        // Hash each image, then confirm byte equality inside hash buckets (no false merges on collisions).
        var buckets = new Dictionary<int, List<int>>();
        for (var i = 0; i < faces.Count; i++)
        {
            var hash = new HashCode();
            hash.AddBytes(faces.Pixels(i));
            var h = hash.ToHashCode();
            ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(buckets, h, out _);
            (list ??= []).Add(i);
        }
        var groupOf = new int[faces.Count];
        Array.Fill(groupOf, -1);
        var groups = new List<int[]>();
        foreach (var bucket in buckets.Values.Where(b => b.Count > 1))
        {
            var remaining = new List<int>(bucket);
            while (remaining.Count > 1)
            {
                var head = remaining[0];
                var same = remaining.Where(j => faces.Pixels(j).SequenceEqual(faces.Pixels(head))).ToArray();
                remaining.RemoveAll(same.Contains);
                if (same.Length > 1)
                {
                    foreach (var j in same)
                    {
                        groupOf[j] = groups.Count;
                    }
                    groups.Add(same);
                }
            }
        }
        groups.Sort((a, b) => a[0].CompareTo(b[0]));
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var j in groups[g])
            {
                groupOf[j] = g;
            }
        }
        return new DuplicateReport(groupOf, groups, faces);
    }

    private Dictionary<(DataSplit, DataSplit), int> CountCrossSplit(FaceSet faces)
    {
        var result = new Dictionary<(DataSplit, DataSplit), int>();
        foreach (var a in DataSplits.All)
        {
            foreach (var b in DataSplits.All.Where(b => b != a))
            {
                result[(a, b)] = 0;
            }
        }
        foreach (var group in Groups)
        {
            var present = group.Select(faces.Split).ToHashSet();
            foreach (var i in group)
            {
                foreach (var b in present.Where(b => b != faces.Split(i)))
                {
                    result[(faces.Split(i), b)]++;
                }
            }
        }
        return result;
    }
}
