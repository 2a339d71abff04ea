namespace Fergan;

/// <summary>Where Fergan keeps regenerable files (parse caches, patched native libraries).</summary>
public static class FerganPaths
{
    /// <summary>
    /// The cache root: <paramref name="overrideDirectory"/> if given, else $FERGAN_CACHE, else
    /// $XDG_CACHE_HOME/fergan, else ~/.cache/fergan. Everything under it can be deleted at any time.
    /// </summary>
    public static string CacheRoot(string? overrideDirectory = null)
    {
        if (overrideDirectory is { Length: > 0 })
        {
            return overrideDirectory;
        }
        if (Environment.GetEnvironmentVariable("FERGAN_CACHE") is { Length: > 0 } env)
        {
            return env;
        }
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg)
        {
            return Path.Combine(xdg, "fergan");
        }
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fergan");
    }
}
