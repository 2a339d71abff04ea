namespace Fergan.Cli.Infrastructure;

/// <summary>The no-overwrite rule for files a command writes: existing outputs stay unless --overwrite.</summary>
internal static class OutputPaths
{
    public static void EnsureWritable(string path, bool overwrite, string option)
    {
        if (File.Exists(path) && !overwrite)
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
