using ScottPlot;

namespace Fergan.Data.Imaging;

/// <summary>
/// New ScottPlot plots whose text uses <see cref="Typefaces.Sans"/>: where that face came from a file because
/// fontconfig had no usable font, the file is registered with ScottPlot once and made its default font, so axis
/// labels and legends are drawn instead of silently left out.
/// </summary>
public static class PlotFactory
{
    private const string RegisteredName = "Fergan Sans";
    private static readonly Lazy<bool> Registered = new(() =>
    {
        if (Typefaces.SansFile is not { } file)
        {
            return false;
        }
        Fonts.AddFontFile(RegisteredName, file);
        Fonts.Default = RegisteredName;
        return true;
    });

    public static Plot Create()
    {
        _ = Registered.Value;
        return new Plot();
    }
}
