namespace Fergan.Data.FerPlus;

/// <summary>How FER+ crowd votes become labels.</summary>
public enum FerPlusMode
{
    /// <summary>The emotion with the most votes; faces whose top vote is a tie, contempt, unknown or not-a-face are dropped.</summary>
    Majority,

    /// <summary>Vote shares over the 7 FER2013 emotions as soft labels (hard label = the largest share);
    /// faces with no emotion votes or with not-a-face as the top vote are dropped.</summary>
    Probability,
}

/// <summary>
/// Microsoft's FER+ relabelling (<c>fer2013new.csv</c>: 10 votes per image in the columns neutral, happiness,
/// surprise, sadness, anger, disgust, fear, contempt, unknown, NF). Row i belongs to row i of fer2013.csv:
/// the join is by position, never by the image-name column, whose numbers drift.
/// </summary>
public sealed class FerPlusVotes
{
    /// <summary>FER+ column order.</summary>
    private static readonly string[] Columns =
        ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt", "unknown", "nf"];

    /// <summary>FER+ column index for each FER2013 emotion (Angry..Neutral).</summary>
    private static readonly int[] ColumnOfEmotion = [4, 5, 6, 1, 3, 2, 0];

    private const int NotAFaceColumn = 9;
    private readonly byte[] _votes; // rows x 10

    private FerPlusVotes(byte[] votes, string source)
    {
        _votes = votes;
        Source = source;
    }

    public string Source { get; }
    public int Rows => _votes.Length / Columns.Length;

    public ReadOnlySpan<byte> VotesOf(int row) => _votes.AsSpan(row * Columns.Length, Columns.Length);

    public static FerPlusVotes Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, "the FER+ vote file does not exist.");
        }
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new DataFormatException(path, null, "the FER+ vote file is empty.");
        var names = header.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var first = Array.IndexOf(names, Columns[0]);
        if (first < 0 || names.Length < first + Columns.Length || !names.AsSpan(first, Columns.Length).SequenceEqual(Columns))
        {
            throw new DataFormatException(path, 1, $"header does not end in the FER+ vote columns ({string.Join(",", Columns)}).");
        }
        var votes = new List<byte>();
        foreach (var (line, fields) in PlainCsv.Rows(reader, path, names.Length))
        {
            for (var c = 0; c < Columns.Length; c++)
            {
                if (!byte.TryParse(fields[first + c].Trim(), out var v))
                {
                    throw new DataFormatException(path, line, $"vote count '{DataFormatException.Shorten(fields[first + c])}' in column {Columns[c]} is not a small non-negative integer.");
                }
                votes.Add(v);
            }
        }
        return new FerPlusVotes([.. votes], path);
    }

    /// <summary>Replaces a FER2013 CSV set's labels with FER+ labels; dropped faces are counted in the provenance.</summary>
    public FaceSet Relabel(FaceSet faces, FerPlusMode mode)
    {
        if (faces.Provenance.Format != "fer2013-csv")
        {
            throw new FerganException($"FER+ votes join fer2013.csv rows by position, so they apply to a FER2013 CSV, not to '{faces.Provenance.Source}' ({faces.Provenance.Format}).");
        }
        var keep = new List<int>();
        var labels = new List<Emotion>();
        var soft = new List<float>();
        for (var i = 0; i < faces.Count; i++)
        {
            var row = faces.SourceRow(i);
            if (row >= Rows)
            {
                throw new DataFormatException(Source, null, $"has {Rows} rows but the dataset has row {row + 1}; is this the FER+ file for this fer2013.csv?");
            }
            var votes = VotesOf(row);
            if (Label(votes, mode) is not { } label)
            {
                continue;
            }
            keep.Add(i);
            labels.Add(label);
            if (mode == FerPlusMode.Probability)
            {
                soft.AddRange(Shares(votes));
            }
        }
        var dropped = faces.Count - keep.Count;
        var provenance = faces.Provenance with { LabelSource = $"ferplus-{mode.ToString().ToLowerInvariant()}" };
        provenance = provenance.WithOperation($"FER+ {mode.ToString().ToLowerInvariant()} labels from {Source}; {dropped} faces dropped (no clear emotion or not a face)");
        var kept = faces.Select(keep, provenance);
        return kept.WithLabels([.. labels], mode == FerPlusMode.Probability ? [.. soft] : null, provenance);
    }

    /// <summary>The label a face gets, or null when it is dropped.</summary>
    internal static Emotion? Label(ReadOnlySpan<byte> votes, FerPlusMode mode)
    {
        var top = 0;
        for (var c = 1; c < votes.Length; c++)
        {
            if (votes[c] > votes[top])
            {
                top = c;
            }
        }
        if (top == NotAFaceColumn || votes[top] == 0)
        {
            return null;
        }
        if (mode == FerPlusMode.Majority)
        {
            var tied = 0;
            foreach (var v in votes)
            {
                tied += v == votes[top] ? 1 : 0;
            }
            var emotion = Array.IndexOf(ColumnOfEmotion, top);
            return tied == 1 && emotion >= 0 ? (Emotion)emotion : null;
        }
        var best = -1;
        for (var e = 0; e < ColumnOfEmotion.Length; e++)
        {
            if (votes[ColumnOfEmotion[e]] > 0 && (best < 0 || votes[ColumnOfEmotion[e]] > votes[ColumnOfEmotion[best]]))
            {
                best = e;
            }
        }
        return best < 0 ? null : (Emotion)best;
    }

    /// <summary>Vote shares over the 7 FER2013 emotions (contempt, unknown and NF left out).</summary>
    internal static float[] Shares(ReadOnlySpan<byte> votes)
    {
        var shares = new float[Emotions.Count];
        var total = 0f;
        for (var e = 0; e < shares.Length; e++)
        {
            shares[e] = votes[ColumnOfEmotion[e]];
            total += shares[e];
        }
        for (var e = 0; e < shares.Length; e++)
        {
            shares[e] /= total;
        }
        return shares;
    }
}
