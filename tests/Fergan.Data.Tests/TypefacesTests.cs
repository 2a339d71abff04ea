using Fergan.Data.Imaging;
using Fergan.Tests;
using SkiaSharp;

namespace Fergan.Data.Tests;

public sealed class TypefacesTests : IDisposable
{
    /// <summary>DejaVu Sans where fonts-dejavu-core puts it (a stated requirement; .ci/run installs it).</summary>
    private const string DejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_a_usable_system_face_the_first_font_file_that_loads_is_used()
    {
        Assert.True(File.Exists(DejaVu), $"{DejaVu} is missing: install fonts-dejavu-core");
        var notAFont = _temp.Write("not-a-font.ttf", "plain text, no glyphs");

        var (face, file) = Typefaces.Resolve(() => null, [_temp.File("missing.ttf"), notAFont, DejaVu]);

        Assert.Equal(DejaVu, file);
        Assert.True(Typefaces.HasGlyphs(face));
        Assert.Equal("DejaVu Sans", face.FamilyName);
    }

    [Fact]
    public void A_system_face_with_glyphs_wins_over_the_files()
    {
        var system = SKTypeface.FromFile(DejaVu);

        var (face, file) = Typefaces.Resolve(() => system, [DejaVu]);

        Assert.Same(system, face);
        Assert.Null(file);
    }

    [Fact]
    public void No_face_at_all_is_not_usable()
    {
        Assert.False(Typefaces.HasGlyphs(null));
        Assert.False(Typefaces.HasGlyphs(SKTypeface.FromData(SKData.CreateCopy(new byte[64]))));
    }

    [Fact]
    public void Grid_row_labels_are_drawn()
    {
        var faces = new List<byte[]> { new byte[FaceImage.PixelCount] };
        Array.Fill(faces[0], (byte)255);

        using var grid = SKBitmap.Decode(FaceGrid.RenderPng([("disgust", faces)]));

        // The label column (90 px, white) holds dark text pixels only if a face with glyphs drew the label.
        var dark = TextInk.DarkPixels(grid, SKRectI.Create(0, 0, 90, grid.Height));
        Assert.True(dark > 20, $"only {dark} dark pixels where the label should be");
    }
}
