using System.Reflection;
using System.Text.Json;

namespace Fergan.Torch.Experiments;

/// <summary>
/// Turns System.Text.Json's message about a bad spec ("The JSON value could not be converted to
/// Fergan.Torch.Experiments.ExperimentArm. Path: $.runs[2].balance") into one a user acts on: the field, the line,
/// and for a misspelt field or enum value what the choices are. A typo in a field name would otherwise be ignored and
/// a grid would run for hours with the default.
/// </summary>
internal static class SpecJsonError
{
    public static string Describe(JsonException e, Type root)
    {
        var path = e.Path ?? "$";
        var where = $"{path.TrimStart('$', '.')} (line {e.LineNumber + 1})";
        var (owner, property) = Resolve(root, path);
        if (e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) && owner is not null)
        {
            return $"unknown field at {where}; the fields there are {string.Join(", ", FieldNames(owner))}";
        }
        var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type is { IsEnum: true })
        {
            return $"{where} must be one of {string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)))}";
        }
        if (property is not null && e.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return $"{where}: not a valid {Describe(type!)}";
        }
        // Broken JSON (a missing comma, a stray character): the parser's own sentence, without its path suffix.
        var message = e.Message;
        var suffix = message.IndexOf(" Path:", StringComparison.Ordinal);
        return $"{where}: {(suffix > 0 ? message[..suffix] : message).TrimEnd('.')}";
    }

    private static string Describe(Type type) =>
        type == typeof(string) ? "text"
        : type == typeof(int) ? "whole number"
        : type == typeof(double) ? "number"
        : type == typeof(bool) ? "true or false"
        : type.IsAssignableTo(typeof(System.Collections.IEnumerable)) ? "list"
        : "value";

    /// <summary>The type that holds the last field of the path, and that field's property (null where the path leaves the spec's types).</summary>
    private static (Type? Owner, PropertyInfo? Property) Resolve(Type root, string path)
    {
        var owner = root;
        PropertyInfo? property = null;
        var segments = path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var name = segments[i].Split('[')[0];
            property = owner.GetProperties().FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == name);
            if (i == segments.Length - 1)
            {
                return (owner, property);
            }
            if (property is null)
            {
                return (null, null);
            }
            var next = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            owner = segments[i].Contains('[') && next.IsGenericType ? next.GetGenericArguments()[0] : next;
        }
        return (owner, property);
    }

    private static IEnumerable<string> FieldNames(Type type) =>
        type.GetProperties()
            .Where(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null && p.CanWrite)
            .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));
}
