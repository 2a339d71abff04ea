namespace Fergan.Data;

/// <summary>
/// One face as a loader streams it.
/// </summary>
/// <param name="Row">Position in the source (CSV data row 0-based, or file order in a folder); FER+ joins on it.</param>
/// <param name="Label">The emotion label.</param>
/// <param name="Split">The split the source assigns, or null when the source has none.</param>
/// <param name="Pixels">48x48 gray pixels, row-major; owned by the record.</param>
/// <param name="Synthetic">True for images a generator made, so evaluation can tell them apart.</param>
public readonly record struct FaceRecord(int Row, Emotion Label, DataSplit? Split, byte[] Pixels, bool Synthetic = false);
