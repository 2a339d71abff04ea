using Fergan.Tests;
using SkiaSharp;

namespace Fergan.Cli.Tests;

/// <summary>
/// Pictures and plots keep their text where fontconfig offers no font Skia or ScottPlot can use: a bare container
/// (the font then comes from FERGAN_FONT), and the GPU machines' carried fontconfig file, through which the grids and
/// curves of a GPU session came back without a letter.
/// </summary>
public sealed class FontFallbackTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Pictures_are_labelled_when_fontconfig_has_no_fonts()
    {
        var emptyFonts = Directory.CreateDirectory(_temp.File("no-fonts")).FullName;
        var environment = Environment(FontConfig(emptyFonts, aliases: false));
        environment["FERGAN_FONT"] = CopyDejaVu(_temp.File("font.ttf"));
        var grid = _temp.File("grid.png");

        var result = CliRunner.RunProcess(environment, "data", "preview", "synthetic:700", "--no-cache", "--out", grid);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var labels = TextInk.DarkPixels(grid, SKRectI.Create(0, 0, 90, int.MaxValue));   // the row labels' column
        Assert.True(labels > 100, $"only {labels} dark pixels in the row labels' column");
        // Plots too, their bold title included (the file must serve ScottPlot's bold requests as well).
        var plot = _temp.File("plot.png");
        result = CliRunner.RunProcess(environment, "data", "stats", "synthetic:700", "--no-cache", "--plot", plot);
        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var title = TextInk.DarkPixels(plot, SKRectI.Create(0, 0, int.MaxValue, 20));   // above the frame: the title, or nothing
        Assert.True(title > 100, $"only {title} dark pixels where the plot's title should be");
    }

    [Fact]
    public void Doctor_names_the_font_file_used_when_fontconfig_has_none()
    {
        var environment = Environment(FontConfig(Directory.CreateDirectory(_temp.File("no-fonts")).FullName, aliases: false));
        var font = CopyDejaVu(_temp.File("font.ttf"));
        environment["FERGAN_FONT"] = font;

        var result = CliRunner.RunProcess(environment, "doctor", "--json");

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var reported = json.RootElement.GetProperty("font");
        Assert.Equal(font, reported.GetProperty("file").GetString());
        Assert.True(reported.GetProperty("usable").GetBoolean());
    }

    [Fact]
    public void Plots_are_labelled_with_the_gpu_machines_font_configuration()
    {
        // What bench/gpu/env.sh writes there: one folder holding DejaVu Sans, generic families sent to it. fc-match
        // finds the font, Fergan's own drawing did, but ScottPlot's own choice of font drew no text.
        var fonts = Directory.CreateDirectory(_temp.File("fonts")).FullName;
        CopyDejaVu(Path.Combine(fonts, "DejaVuSans.ttf"));
        var plot = _temp.File("plot.png");

        var result = CliRunner.RunProcess(Environment(FontConfig(fonts, aliases: true)), "data", "stats", "synthetic:700", "--no-cache", "--plot", plot);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var title = TextInk.DarkPixels(plot, SKRectI.Create(0, 0, int.MaxValue, 20));   // above the frame: the title, or nothing
        Assert.True(title > 100, $"only {title} dark pixels where the title should be");
    }

    private Dictionary<string, string> Environment(string fontConfig) => new() { ["FONTCONFIG_FILE"] = fontConfig };

    private string FontConfig(string fontFolder, bool aliases) => _temp.Write($"fonts-{Guid.NewGuid():N}.conf", $"""
        <?xml version="1.0"?>
        <fontconfig>
          <dir>{fontFolder}</dir>
          <cachedir>{_temp.File("cache")}</cachedir>
          {(aliases ? "<alias><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>" : "")}
        </fontconfig>
        """);

    private static string CopyDejaVu(string to)
    {
        File.Copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", to);
        return to;
    }
}
