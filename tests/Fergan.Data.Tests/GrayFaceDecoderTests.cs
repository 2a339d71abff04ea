using Fergan.Data;
using Fergan.Data.Imaging;

namespace Fergan.Data.Tests;

public sealed class GrayFaceDecoderTests
{
    [Fact]
    public void A_48x48_gray_png_decodes_unchanged_without_conversions()
    {
        var pixels = Enumerable.Range(0, FaceImage.PixelCount).Select(i => (byte)(i % 251)).ToArray();

        var decoded = GrayFaceDecoder.TryDecode(GrayFaceDecoder.EncodePng(pixels), out var problem);

        Assert.Null(problem);
        Assert.Equal(pixels, decoded!.Value.Pixels);
        Assert.Empty(decoded.Value.Conversions);
    }

    [Fact]
    public void Empty_input_is_explained()
    {
        var decoded = GrayFaceDecoder.TryDecode([], out var problem);

        Assert.Null(decoded);
        Assert.Contains("empty", problem);
    }
}
