using Fergan.Data;

namespace Fergan.Data.Tests;

/// <summary>Hand-built face sets for unit tests.</summary>
internal static class TestFaces
{
    /// <summary>A set from (label, split, fill value) triples; each face is a constant image of its fill value.</summary>
    public static FaceSet Build(params (Emotion Label, DataSplit Split, byte Fill)[] faces)
    {
        var pixels = new byte[faces.Length * FaceImage.PixelCount];
        for (var i = 0; i < faces.Length; i++)
        {
            pixels.AsSpan(i * FaceImage.PixelCount, FaceImage.PixelCount).Fill(faces[i].Fill);
        }
        return new FaceSet(pixels, faces.Select(f => f.Label).ToArray(), faces.Select(f => f.Split).ToArray(),
            Enumerable.Range(0, faces.Length).ToArray(), new bool[faces.Length], null,
            new DatasetProvenance { Source = "test", Format = "fer2013-csv" });
    }

    /// <summary>n faces per emotion, all in Training, each with a distinct fill.</summary>
    public static FaceSet PerClass(int n) =>
        Build([.. Emotions.All.SelectMany(e => Enumerable.Range(0, n).Select(k => (e, DataSplit.Training, (byte)((int)e * 30 + k))))]);
}
