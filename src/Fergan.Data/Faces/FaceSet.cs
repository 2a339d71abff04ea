namespace Fergan.Data;

/// <summary>
/// A materialised dataset in columnar form: one contiguous pixel buffer (the whole of FER2013 is 83 MB)
/// plus per-face label, split, source row and synthetic flag, and optional soft labels (FER+ vote shares).
/// Immutable: operations return new sets.
/// </summary>
public sealed class FaceSet
{
    private readonly byte[] _pixels;
    private readonly Emotion[] _labels;
    private readonly DataSplit[] _splits;
    private readonly int[] _rows;
    private readonly bool[] _synthetic;
    private readonly float[]? _softLabels;

    public FaceSet(byte[] pixels, Emotion[] labels, DataSplit[] splits, int[] rows, bool[] synthetic,
                   float[]? softLabels, DatasetProvenance provenance)
    {
        var n = labels.Length;
        if (pixels.Length != n * FaceImage.PixelCount || splits.Length != n || rows.Length != n || synthetic.Length != n)
        {
            throw new ArgumentException("FaceSet columns disagree on the number of faces.");
        }
        if (softLabels is not null && softLabels.Length != n * Emotions.Count)
        {
            throw new ArgumentException("Soft labels must hold one probability per emotion per face.", nameof(softLabels));
        }
        _pixels = pixels;
        _labels = labels;
        _splits = splits;
        _rows = rows;
        _synthetic = synthetic;
        _softLabels = softLabels;
        Provenance = provenance;
    }

    public int Count => _labels.Length;

    /// <summary>Where the faces came from and what was done to them (format, split method, label source, ingest counts).</summary>
    public DatasetProvenance Provenance { get; }

    public ReadOnlySpan<byte> Pixels(int index) => _pixels.AsSpan(index * FaceImage.PixelCount, FaceImage.PixelCount);

    /// <summary>All pixels, face after face (for fast batching and hashing).</summary>
    public ReadOnlySpan<byte> AllPixels => _pixels;

    public Emotion Label(int index) => _labels[index];
    public DataSplit Split(int index) => _splits[index];
    public int SourceRow(int index) => _rows[index];
    public bool IsSynthetic(int index) => _synthetic[index];
    public bool HasSoftLabels => _softLabels is not null;

    /// <summary>Vote shares per emotion for this face (FER+ probability labels); empty when there are none.</summary>
    public ReadOnlySpan<float> SoftLabel(int index) =>
        _softLabels is null ? default : _softLabels.AsSpan(index * Emotions.Count, Emotions.Count);

    public IReadOnlyList<Emotion> Labels => _labels;
    public IReadOnlyList<DataSplit> Splits => _splits;

    /// <summary>Indices of the faces in one split, in order.</summary>
    public int[] IndicesOf(DataSplit split)
    {
        var result = new List<int>();
        for (var i = 0; i < _splits.Length; i++)
        {
            if (_splits[i] == split)
            {
                result.Add(i);
            }
        }
        return [.. result];
    }

    /// <summary>Face counts as [split, emotion].</summary>
    public int[,] CountsBySplitAndClass()
    {
        var counts = new int[DataSplits.All.Count, Emotions.Count];
        for (var i = 0; i < Count; i++)
        {
            counts[(int)_splits[i], (int)_labels[i]]++;
        }
        return counts;
    }

    /// <summary>A new set with the given faces, in the given order.</summary>
    public FaceSet Select(IReadOnlyList<int> indices, DatasetProvenance? provenance = null)
    {
        var n = indices.Count;
        var pixels = new byte[n * FaceImage.PixelCount];
        var labels = new Emotion[n];
        var splits = new DataSplit[n];
        var rows = new int[n];
        var synthetic = new bool[n];
        var soft = _softLabels is null ? null : new float[n * Emotions.Count];
        for (var j = 0; j < n; j++)
        {
            var i = indices[j];
            Pixels(i).CopyTo(pixels.AsSpan(j * FaceImage.PixelCount));
            labels[j] = _labels[i];
            splits[j] = _splits[i];
            rows[j] = _rows[i];
            synthetic[j] = _synthetic[i];
            if (soft is not null)
            {
                SoftLabel(i).CopyTo(soft.AsSpan(j * Emotions.Count));
            }
        }
        return new FaceSet(pixels, labels, splits, rows, synthetic, soft, provenance ?? Provenance);
    }

    /// <summary>The same faces with new split assignments (e.g. a stratified split).</summary>
    public FaceSet WithSplits(DataSplit[] splits, DatasetProvenance provenance) =>
        new(_pixels, _labels, splits, _rows, _synthetic, _softLabels, provenance);

    /// <summary>The same faces with new labels (e.g. FER+ majority votes) and optional soft labels.</summary>
    public FaceSet WithLabels(Emotion[] labels, float[]? softLabels, DatasetProvenance provenance) =>
        new(_pixels, labels, _splits, _rows, _synthetic, softLabels, provenance);

    /// <summary>
    /// Collects streamed records. The provenance is built after the stream ends (so it sees the final ingest
    /// counts) and is told whether any record lacked a split; such records are placed in Training until a
    /// split is made.
    /// </summary>
    public static FaceSet FromRecords(IEnumerable<FaceRecord> records, Func<bool, DatasetProvenance> provenance,
                                      CancellationToken cancellationToken = default)
    {
        var pixels = new List<byte[]>();
        var labels = new List<Emotion>();
        var splits = new List<DataSplit>();
        var rows = new List<int>();
        var synthetic = new List<bool>();
        var anySplitMissing = false;
        foreach (var r in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            pixels.Add(r.Pixels);
            labels.Add(r.Label);
            splits.Add(r.Split ?? DataSplit.Training);
            anySplitMissing |= r.Split is null;
            rows.Add(r.Row);
            synthetic.Add(r.Synthetic);
        }
        var buffer = new byte[pixels.Count * FaceImage.PixelCount];
        for (var i = 0; i < pixels.Count; i++)
        {
            pixels[i].CopyTo(buffer, i * FaceImage.PixelCount);
        }
        return new FaceSet(buffer, [.. labels], [.. splits], [.. rows], [.. synthetic], null, provenance(anySplitMissing));
    }

    /// <summary>Raw column access for the binary cache writer.</summary>
    internal (byte[] Pixels, Emotion[] Labels, DataSplit[] Splits, int[] Rows, bool[] Synthetic, float[]? Soft) Columns =>
        (_pixels, _labels, _splits, _rows, _synthetic, _softLabels);
}
