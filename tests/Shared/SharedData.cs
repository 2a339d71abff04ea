namespace Fergan.Tests;

/// <summary>
/// The optional development data in ../shared/data (FER2013, FER+). Present in CI and on developer
/// machines, absent on a fresh clone elsewhere: tests that need it skip with <see cref="SkipReason"/>.
/// </summary>
public static class SharedData
{
    public static string? RepositoryRoot { get; } = FindRoot();

    public static string? Fer2013 => Existing(Path.Combine("fer2013", "fer2013.csv.gz"));
    public static string? FerPlus => Existing(Path.Combine("ferplus", "fer2013new.csv"));

    public const string SkipReason = "needs ../shared/data (FER2013 and FER+), which is not on this machine; CI has it";

    private static string? Existing(string relative)
    {
        if (RepositoryRoot is null)
        {
            return null;
        }
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", relative));
        return File.Exists(path) ? path : null;
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fergan.slnx")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
