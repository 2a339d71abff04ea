namespace Fergan.Data;

/// <summary>
/// The three FER2013 splits, named exactly as the CSV's Usage column.
/// PublicTest is the validation split (model selection); PrivateTest is the held-out test split.
/// </summary>
public enum DataSplit : byte
{
    Training = 0,
    PublicTest = 1,
    PrivateTest = 2,
}

public static class DataSplits
{
    public static IReadOnlyList<DataSplit> All { get; } = Enum.GetValues<DataSplit>();

    /// <summary>Parses a Usage value exactly (case-sensitive, as FER2013 writes it).</summary>
    public static bool TryParseUsage(ReadOnlySpan<char> text, out DataSplit split)
    {
        switch (text)
        {
            case "Training": split = DataSplit.Training; return true;
            case "PublicTest": split = DataSplit.PublicTest; return true;
            case "PrivateTest": split = DataSplit.PrivateTest; return true;
            default: split = default; return false;
        }
    }

    /// <summary>
    /// Maps a folder name of an image-folder release to a split: train/training, val/valid/validation/publictest,
    /// test/privatetest (case-insensitive). Kaggle's folder release has only train/ and test/; its test/ holds
    /// PublicTest and PrivateTest together, which therefore appears as one PrivateTest split.
    /// </summary>
    public static bool TryParseFolder(string name, out DataSplit split)
    {
        switch (name.ToLowerInvariant())
        {
            case "train" or "training": split = DataSplit.Training; return true;
            case "val" or "valid" or "validation" or "publictest": split = DataSplit.PublicTest; return true;
            case "test" or "privatetest": split = DataSplit.PrivateTest; return true;
            default: split = default; return false;
        }
    }
}
