using System.Security.Cryptography;

namespace Fergan.Data;

/// <summary>
/// What identifies the faces of one split: their number and a SHA-256 over their pixels, labels (soft labels where
/// there are some) and synthetic marks, in order. Two loads of the same source with the same options give the same
/// fingerprint; another file, other labels (FER+), another split or a re-ordering give another. A training run keeps
/// the fingerprints of the splits it learns from, so a resumed run can refuse other data.
/// </summary>
public sealed record SplitFingerprint(string Split, int Faces, string Sha256)
{
    public static SplitFingerprint Of(FaceSet faces, DataSplit split)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> label = stackalloc byte[2];
        Span<byte> soft = stackalloc byte[Emotions.Count * sizeof(float)];
        var indices = faces.IndicesOf(split);
        foreach (var i in indices)
        {
            hash.AppendData(faces.Pixels(i));
            label[0] = (byte)faces.Label(i);
            label[1] = faces.IsSynthetic(i) ? (byte)1 : (byte)0;
            hash.AppendData(label);
            if (faces.HasSoftLabels)
            {
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(faces.SoftLabel(i)).CopyTo(soft);
                hash.AppendData(soft);
            }
        }
        return new SplitFingerprint(split.ToString(), indices.Length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>"28,709 Training faces, content 3f2a9c1e"; enough to tell two datasets apart in a message.</summary>
    public override string ToString() => $"{Faces:N0} {Split} faces, content {Sha256[..8]}";
}
