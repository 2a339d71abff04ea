namespace Fergan.Data;

/// <summary>
/// A source of labelled 48x48 faces: a FER2013 CSV, an image-folder tree, a Fergan binary file or the
/// synthetic generator. Sources stream; <see cref="FaceSet"/> is the materialised, columnar form.
/// </summary>
public interface IFaceDataset
{
    /// <summary>The file, folder or spec the faces come from (used in messages and cache keys).</summary>
    string Source { get; }

    /// <summary>A short format name: fer2013-csv, image-folders (photo-folders with a face finder), fergan-binary, synthetic.</summary>
    string Format { get; }

    /// <summary>
    /// Streams the faces in source order. Malformed input throws <see cref="DataFormatException"/> naming the
    /// file and line, unless the report was created with skip-bad, in which case the record is skipped and counted.
    /// </summary>
    IEnumerable<FaceRecord> Read(IngestReport report, CancellationToken cancellationToken = default);
}
