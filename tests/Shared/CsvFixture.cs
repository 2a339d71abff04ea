using System.Text;

namespace Fergan.Tests;

/// <summary>Builds small FER2013-format CSV texts for loader tests.</summary>
public static class CsvFixture
{
    public const string Header = "emotion,pixels,Usage";

    /// <summary>A valid data line: every pixel = (seed + i) mod 256.</summary>
    public static string Row(int label, string usage, int seed = 0, int pixels = 2304) =>
        $"{label},{Pixels(seed, pixels)},{usage}";

    public static string Pixels(int seed, int count = 2304)
    {
        var sb = new StringBuilder(count * 4);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            sb.Append((seed + i) % 256);
        }
        return sb.ToString();
    }

    public static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    /// <summary>Three good rows, one per split.</summary>
    public static string Valid() => Lines(Header, Row(0, "Training", 1), Row(3, "PublicTest", 2), Row(6, "PrivateTest", 3));
}
