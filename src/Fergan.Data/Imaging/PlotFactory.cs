using ScottPlot;

namespace Fergan.Data.Imaging;

/// <summary>
/// New ScottPlot plots whose text uses <see cref="Typefaces.Sans"/>. ScottPlot resolves its default font its own way,
/// and where fontconfig is configured unusually (the GPU machines' carried fonts.conf) it settles on a face that
/// draws nothing even though "DejaVu Sans" by name works; so its default is set to the family Fergan resolved, and
/// where that face came from a file (no usable fontconfig font at all) the file is registered first.
/// </summary>
public static class PlotFactory
{
    private const string RegisteredName = "Fergan Sans";
    private static readonly Lazy<string> DefaultFont = new(() =>
    {
        if (Typefaces.SansFile is { } file)
        {
            // Titles and axis labels ask for bold: the same file serves both, or they would fall back to a face
            // that draws nothing.
            Fonts.AddFontFile(RegisteredName, file, bold: false);
            Fonts.AddFontFile(RegisteredName, file, bold: true);
            Fonts.Default = RegisteredName;
        }
        else
        {
            Fonts.Default = Typefaces.Sans.FamilyName;
        }
        return Fonts.Default;
    });

    public static Plot Create()
    {
        _ = DefaultFont.Value;
        return new Plot();
    }
}
