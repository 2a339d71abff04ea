using Fergan.Data;

namespace Fergan.Torch.Training;

/// <summary>
/// The data a training run learns from (its data.json): where it came from and the fingerprints of the splits the
/// trainer reads. A resumed run on other data would mix two datasets in one model without a trace, and the CLI's
/// <c>--data</c> defaults to the bundled synthetic set, so a resume that forgets it would do exactly that.
/// </summary>
public sealed record RunData(string Source, string Format, string Labels, string SplitMethod, IReadOnlyList<SplitFingerprint> Splits)
{
    /// <summary>
    /// The source as a full path where it is a file or folder (a resume may run from another folder; it loads this
    /// source when no data is given), as given otherwise (the synthetic set's spec).
    /// </summary>
    public static RunData Of(FaceSet faces, params DataSplit[] splits)
    {
        var source = faces.Provenance.Source;
        if (File.Exists(source) || Directory.Exists(source))
        {
            source = Path.GetFullPath(source);
        }
        return new RunData(source, faces.Provenance.Format, faces.Provenance.LabelSource, faces.Provenance.SplitMethod,
            [.. splits.Select(s => SplitFingerprint.Of(faces, s))]);
    }

    /// <summary>True when the faces are the same, split by split (the source may have moved or been renamed).</summary>
    public bool SameFacesAs(RunData other) => Splits.SequenceEqual(other.Splits);

    public override string ToString() =>
        $"{Source} ({Format}, labels: {Labels}, split: {SplitMethod}; {string.Join(", ", Splits)})";
}
