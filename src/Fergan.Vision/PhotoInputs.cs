using Fergan.Data.Imaging;

namespace Fergan.Vision;

/// <summary>Turns what a user types (files, folders, globs such as photos/*.jpg) into a sorted list of image files.</summary>
public static class PhotoInputs
{
    public static IReadOnlyList<string> Resolve(IEnumerable<string> arguments, bool recursive = true)
    {
        var files = new List<string>();
        foreach (var argument in arguments)
        {
            if (File.Exists(argument))
            {
                files.Add(argument); // named explicitly: tried whatever its extension, so a wrong file gets a clear error
            }
            else if (Directory.Exists(argument))
            {
                var found = Directory.EnumerateFiles(argument, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(IsImage).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                {
                    throw new FerganException($"{argument} holds no images ({string.Join(", ", GrayFaceDecoder.ImageExtensions)}).");
                }
                files.AddRange(found);
            }
            else if (argument.IndexOfAny(['*', '?']) >= 0)
            {
                var folder = Path.GetDirectoryName(argument) is { Length: > 0 } d ? d : ".";
                var pattern = Path.GetFileName(argument);
                if (folder.IndexOfAny(['*', '?']) >= 0 || !Directory.Exists(folder))
                {
                    throw new FerganException($"{argument}: wildcards are supported in the file name only, in an existing folder.");
                }
                var found = Directory.EnumerateFiles(folder, pattern).Where(IsImage).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                {
                    throw new FerganException($"{argument} matches no images.");
                }
                files.AddRange(found);
            }
            else
            {
                throw new FerganException($"{argument} does not exist.");
            }
        }
        return files.Distinct().ToList();
    }

    private static bool IsImage(string path) =>
        GrayFaceDecoder.ImageExtensions.Contains(Path.GetExtension(path)) && !Path.GetFileName(path).StartsWith('.');
}
