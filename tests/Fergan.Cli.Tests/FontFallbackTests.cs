using Fergan.Tests;
using SkiaSharp;

namespace Fergan.Cli.Tests;

/// <summary>
/// A machine whose fontconfig offers no font Skia can use (a bare container; the GPU machines with the publish's own
/// fontconfig file, whose grids and curves came back without a letter) still gets labelled pictures, from FERGAN_FONT
/// or DejaVu's usual path.
/// </summary>
public sealed class FontFallbackTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Pictures_are_labelled_when_fontconfig_has_no_fonts()
    {
        var emptyFonts = Directory.CreateDirectory(_temp.File("no-fonts")).FullName;
        var config = _temp.Write("fonts.conf", $"""
            <?xml version="1.0"?>
            <fontconfig>
              <dir>{emptyFonts}</dir>
              <cachedir>{_temp.File("cache")}</cachedir>
            </fontconfig>
            """);
        var font = _temp.File("font.ttf");
        File.Copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", font);
        var environment = new Dictionary<string, string> { ["FONTCONFIG_FILE"] = config, ["FERGAN_FONT"] = font };
        var grid = _temp.File("grid.png");

        var result = CliRunner.RunProcess(environment, "data", "preview", "synthetic:700", "--no-cache", "--out", grid);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        using var bitmap = SKBitmap.Decode(grid);
        var dark = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < 90; x++)   // the row labels' column
            {
                dark += bitmap.GetPixel(x, y).Red < 128 ? 1 : 0;
            }
        }
        Assert.True(dark > 100, $"only {dark} dark pixels in the row labels' column");
    }
}
