using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fergan.Web;

/// <summary>
/// Reading an endpoint's options by name, with a message for every value that does not parse and for every name the
/// endpoint does not have: a misspelt option ("top_k" for "top-k") was silently ignored before, and a value that did
/// not bind ("count=abc") was an empty 400.
/// </summary>
internal static class QueryOptions
{
    /// <summary>The first name that is not one of <paramref name="known"/>, as a message; null when all are known.</summary>
    public static string? Unknown(IEnumerable<string> names, IReadOnlyList<string> known) =>
        names.FirstOrDefault(n => !known.Contains(n, StringComparer.Ordinal)) is { } name
            ? $"unknown option '{name}'; the options are {string.Join(", ", known)}"
            : null;

    public static int? Int(StringValues value, string name, List<string> failures)
    {
        if (value.Count == 0) return null;
        if (int.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        failures.Add($"{name} '{value}' is not a whole number");
        return null;
    }

    public static double? Double(StringValues value, string name, List<string> failures)
    {
        if (value.Count == 0) return null;
        if (double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        failures.Add($"{name} '{value}' is not a number");
        return null;
    }
}
