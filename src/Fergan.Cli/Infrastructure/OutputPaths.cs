namespace Fergan.Cli.Infrastructure;

/// <summary>The no-overwrite rule for files a command writes: existing outputs stay unless --force.</summary>
internal static class OutputPaths
{
    public static void EnsureWritable(string path, bool force, string option)
    {
        if (File.Exists(path) && !force)
        {
            throw new FerganException($"{option}: {path} already exists; pass --force to overwrite it.");
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
    }
}
