using SkiaSharp;

namespace Fergan.Data.Imaging;

/// <summary>
/// The typeface for text drawn into pictures: grid row labels, report headings, photo labels, plot axes.
/// Normally fontconfig's sans-serif (DejaVu Sans, from fonts-dejavu-core). Where fontconfig offers no face that has
/// glyphs (a bare container, or a self-contained publish whose own fontconfig file Skia reads differently from
/// fc-match: measured on the GPU machines, whose grids and curves came back without a letter), Skia silently draws
/// nothing; so a face is only taken if it has a glyph for "A", and otherwise a TrueType file is loaded directly:
/// <c>FERGAN_FONT</c>, a <c>fonts/</c> folder beside the program, or DejaVu's usual path.
/// </summary>
public static class Typefaces
{
    /// <summary>Environment variable naming a .ttf file to use when fontconfig has no usable font.</summary>
    public const string FontVariable = "FERGAN_FONT";

    private static readonly Lazy<(SKTypeface Typeface, string? File)> Resolved = new(() => Resolve(SystemSans, FallbackFiles()));
    private static readonly Lazy<SKTypeface?> BoldFace = new(() =>
    {
        var bold = SKTypeface.FromFamilyName("DejaVu Sans", SKFontStyle.Bold);
        return HasGlyphs(bold) && bold!.FontStyle.Weight >= (int)SKFontStyleWeight.SemiBold ? bold : null;
    });

    /// <summary>The regular sans-serif face (never one that draws nothing, if any font can be found at all).</summary>
    public static SKTypeface Sans => Resolved.Value.Typeface;

    /// <summary>
    /// The TrueType file <see cref="Sans"/> was loaded from when fontconfig had no usable font, for libraries that
    /// take a file (ScottPlot); null when fontconfig's face is used.
    /// </summary>
    public static string? SansFile => Resolved.Value.File;

    /// <summary>A font for bold text: the system's bold face, or <see cref="Sans"/> emboldened where there is none.</summary>
    public static SKFont BoldFont(float size) =>
        BoldFace.Value is { } bold ? new SKFont(bold, size) : new SKFont(Sans, size) { Embolden = true };

    /// <summary>
    /// The first usable face: <paramref name="system"/>'s if it has glyphs, else the first of <paramref name="files"/>
    /// that loads with glyphs, else the system's anyway (text will be missing, as it would be without Fergan).
    /// </summary>
    public static (SKTypeface Typeface, string? File) Resolve(Func<SKTypeface?> system, IEnumerable<string> files)
    {
        var systemFace = system();
        if (HasGlyphs(systemFace))
        {
            return (systemFace!, null);
        }
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                continue;
            }
            var face = SKTypeface.FromFile(file);
            if (HasGlyphs(face))
            {
                return (face!, file);
            }
            face?.Dispose();
        }
        return (systemFace ?? SKTypeface.Default, null);
    }

    /// <summary>True when the face can draw Latin text (an empty fallback face has no glyph for 'A').</summary>
    public static bool HasGlyphs(SKTypeface? face)
    {
        if (face is null || face.GlyphCount == 0)
        {
            return false;
        }
        using var font = new SKFont(face);
        return font.ContainsGlyph('A');
    }

    private static SKTypeface? SystemSans()
    {
        var named = SKTypeface.FromFamilyName("DejaVu Sans");
        return HasGlyphs(named) ? named : SKTypeface.Default;
    }

    /// <summary>Where a font file is looked for, in order.</summary>
    public static IEnumerable<string> FallbackFiles()
    {
        var variable = Environment.GetEnvironmentVariable(FontVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            yield return variable;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "fonts");
        if (Directory.Exists(beside))
        {
            foreach (var file in Directory.EnumerateFiles(beside, "*.ttf").Order(StringComparer.Ordinal))
            {
                yield return file;
            }
        }
        yield return "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    }
}
