namespace Fergan.Data;

/// <summary>Geometry of a FER2013 face: 48x48, 8-bit gray, row-major.</summary>
public static class FaceImage
{
    public const int Size = 48;
    public const int PixelCount = Size * Size;
}
