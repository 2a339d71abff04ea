namespace Fergan.Data.Imaging;

/// <summary>
/// How an image-folder dataset turns one image file into the 48x48 gray face it holds. The default,
/// <see cref="CentreCrop"/>, suits face images already framed as FER2013's are (its own folder release, crops from
/// other sets); a face finder (Fergan.Vision's <c>PhotoFaceCropper</c>, `--find-faces`) detects and aligns the face
/// in an ordinary photo the way the photo pipeline does, so labelled photos are read as the classifier sees faces in
/// `predict`.
/// </summary>
public interface IFaceCropper
{
    /// <summary>Names the method in the parse cache's key (crops made another way are not reused) and in messages.</summary>
    string Name { get; }

    /// <summary>The face in the image file's bytes, or null with the reason (not an image, no face found).</summary>
    GrayFaceDecoder.Decoded? TryCrop(byte[] bytes, out string? problem);
}

/// <summary>The image itself as the face: centre-cropped to a square, resampled to 48x48, turned gray (<see cref="GrayFaceDecoder"/>).</summary>
public sealed class CentreCrop : IFaceCropper
{
    public static CentreCrop Instance { get; } = new();

    public string Name => "centre-crop";

    public GrayFaceDecoder.Decoded? TryCrop(byte[] bytes, out string? problem) => GrayFaceDecoder.TryDecode(bytes, out problem);
}
