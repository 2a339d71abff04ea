namespace Fergan.Cli.Infrastructure;

/// <summary>The no-overwrite rule for what a command writes: an existing file or non-empty folder stays unless --overwrite.</summary>
internal static class OutputPaths
{
    public static void EnsureWritable(string path, bool overwrite, string option)
    {
        if (!overwrite && (File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())))
        {
            throw new FerganException($"{option}: {path} already exists; pass --overwrite to replace it.");
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
    }
}
