using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Fergan.Cli.Infrastructure;

/// <summary>--json output: one JSON object on standard output, written raw (never wrapped or styled).</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // Undefined values are NaN, not an error: a one-seed interval, the ROC-AUC of a class with no examples.
        // They print as the string "NaN" (Python's json and JavaScript's Number() read it back).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void Write(IAnsiConsole console, object value)
    {
        var writer = console.Profile.Out.Writer;
        writer.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Options));
        writer.Flush();
    }
}
