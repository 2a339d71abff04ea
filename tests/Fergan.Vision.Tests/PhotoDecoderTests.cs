using Fergan.Vision.Photos;
using SkiaSharp;

namespace Fergan.Vision.Tests;

public class PhotoDecoderTests
{
    [Fact]
    public void Empty_files_are_refused_with_their_name()
    {
        var e = Assert.Throws<PhotoException>(() => PhotoDecoder.Decode([], "upload.jpg"));
        Assert.Equal(PhotoProblem.Empty, e.Problem);
        Assert.Contains("upload.jpg", e.Message);
    }

    [Fact]
    public void Text_is_not_an_image()
    {
        var e = Assert.Throws<PhotoException>(() => PhotoDecoder.Decode("hello, this is not a photo"u8.ToArray(), "notes.txt"));
        Assert.Equal(PhotoProblem.NotAnImage, e.Problem);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Png)]
    public void Truncated_images_are_corrupt(SKEncodedImageFormat format)
    {
        using var noise = Noise(200, 150);
        var bytes = TestPhotos.Encode(noise, format);
        var e = Assert.Throws<PhotoException>(() => PhotoDecoder.Decode(bytes.AsSpan(0, bytes.Length / 2), "cut"));
        Assert.Equal(PhotoProblem.Corrupt, e.Problem);
    }

    [Fact]
    public void The_byte_limit_is_checked_before_decoding()
    {
        using var photo = TestPhotos.Solid(64, 64, SKColors.Gray);
        var bytes = TestPhotos.Encode(photo);
        var e = Assert.Throws<PhotoException>(() => PhotoDecoder.Decode(bytes, "big.png", new PhotoLimits(MaxBytes: bytes.Length - 1)));
        Assert.Equal(PhotoProblem.TooLarge, e.Problem);
    }

    [Fact]
    public void A_decompression_bomb_is_refused_from_its_header()
    {
        // A valid PNG whose header claims 50,000 x 50,000 pixels (2.5 GP, 10 GB as RGBA): refused before decoding.
        using var tiny = TestPhotos.Solid(8, 8, SKColors.Gray);
        var bytes = Fergan.Tests.PngFixtures.WithClaimedSize(TestPhotos.Encode(tiny), 50_000, 50_000);
        var e = Assert.Throws<PhotoException>(() => PhotoDecoder.Decode(bytes, "bomb.png"));
        Assert.Equal(PhotoProblem.TooLarge, e.Problem);
        Assert.Contains("50000x50000", e.Message);
    }

    [Fact]
    public void Gray_and_transparent_images_come_out_opaque_rgba()
    {
        using var gray = new SKBitmap(new SKImageInfo(10, 10, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.Erase(new SKColor(100, 100, 100));
        using var decodedGray = PhotoDecoder.Decode(TestPhotos.Encode(gray), "gray.png");
        Assert.Equal(new SKColor(100, 100, 100), decodedGray.GetPixel(5, 5));

        using var clear = new SKBitmap(new SKImageInfo(10, 10, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        clear.Erase(SKColors.Transparent);
        using var decodedClear = PhotoDecoder.Decode(TestPhotos.Encode(clear), "clear.png");
        Assert.Equal(SKColors.White, decodedClear.GetPixel(5, 5)); // transparency composited onto white
        Assert.Equal(SKColorType.Rgba8888, decodedClear.ColorType);
    }

    [Fact]
    public void Cmyk_jpegs_come_out_as_rgb()
    {
        using var photo = PhotoDecoder.Decode(Path.Combine(AppContext.BaseDirectory, "fixtures", "cmyk.jpg"));
        Assert.Equal((64, 48), (photo.Width, photo.Height));
        var cyan = photo.GetPixel(10, 20);
        var black = photo.GetPixel(50, 20);
        Assert.True(cyan.Red < 40 && cyan.Green > 215 && cyan.Blue > 215, $"left half should be cyan, got {cyan}");
        Assert.True(black.Red < 40 && black.Green < 40 && black.Blue < 40, $"right half should be black, got {black}");
    }

    [Theory]
    [InlineData(1, 40, 20, 0, 0)]   // upright: the red corner stays top-left
    [InlineData(3, 40, 20, 39, 19)] // rotated 180: it moves to bottom-right
    [InlineData(6, 20, 40, 19, 0)]  // rotated 90 clockwise (a phone portrait): it moves to top-right, and the size swaps
    [InlineData(8, 20, 40, 0, 39)]  // rotated 90 counter-clockwise: bottom-left
    public void Exif_orientation_is_applied(int orientation, int width, int height, int redX, int redY)
    {
        using var photo = TestPhotos.Solid(40, 20, SKColors.Blue);
        for (var y = 0; y < 6; y++)
        for (var x = 0; x < 6; x++)
            photo.SetPixel(x, y, SKColors.Red);
        var jpeg = WithExifOrientation(TestPhotos.Encode(photo, SKEncodedImageFormat.Jpeg), orientation);

        using var upright = PhotoDecoder.Decode(jpeg, "phone.jpg");
        Assert.Equal((width, height), (upright.Width, upright.Height));
        var corner = upright.GetPixel(redX, redY);
        Assert.True(corner.Red > 200 && corner.Blue < 80, $"expected red at ({redX}, {redY}), got {corner}");
    }

    private static SKBitmap Noise(int width, int height)
    {
        var random = new Random(1);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
            bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        return bitmap;
    }

    /// <summary>Inserts an EXIF APP1 segment holding only the Orientation tag right after the JPEG's SOI marker.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        var tiff = new List<byte>();
        tiff.AddRange("MM"u8.ToArray());                 // big-endian TIFF
        tiff.AddRange([0x00, 0x2A, 0x00, 0x00, 0x00, 0x08]); // magic 42, first IFD at offset 8
        tiff.AddRange([0x00, 0x01]);                      // one entry
        tiff.AddRange([0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (byte)orientation, 0x00, 0x00]); // Orientation, SHORT, 1
        tiff.AddRange([0x00, 0x00, 0x00, 0x00]);          // no next IFD
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var length = payload.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg.Take(2).Concat(segment).Concat(jpeg.Skip(2)).ToArray();
    }
}
