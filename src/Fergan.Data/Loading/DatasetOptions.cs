using Fergan.Data.FerPlus;
using Fergan.Data.Imaging;

namespace Fergan.Data.Loading;

/// <summary>How the splits of a loaded dataset are decided.</summary>
public enum SplitMode
{
    /// <summary>
    /// Use the source's split (FER2013 Usage, split folders); make a stratified one when the source has none, and take
    /// a stratified tenth of Training for validation when the source has train and test splits only.
    /// </summary>
    Auto,

    /// <summary>Always use the source's split; faces without one are an error.</summary>
    Source,

    /// <summary>Always make a fresh stratified, seeded 80/10/10 split.</summary>
    Stratified,
}

/// <summary>Options shared by every command that reads a dataset (same names in CLI, library and web API).</summary>
public sealed record DatasetOptions
{
    /// <summary>Skip malformed records (counted and reported) instead of stopping at the first one.</summary>
    public bool SkipBad { get; init; }

    /// <summary>A FER+ vote file (fer2013new.csv) whose labels replace FER2013's; null keeps FER2013's.</summary>
    public string? FerPlus { get; init; }

    public FerPlusMode FerPlusMode { get; init; } = FerPlusMode.Majority;

    public SplitMode Split { get; init; } = SplitMode.Auto;

    /// <summary>Seed of the stratified split.</summary>
    public int SplitSeed { get; init; } = 2013;

    /// <summary>Read and write the binary parse cache (keyed by path, size and modification time).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Cache folder; null means $FERGAN_CACHE, else $XDG_CACHE_HOME/fergan, else ~/.cache/fergan.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// How an image folder's files become faces; null centre-crops each image (face images, as FER2013's folder
    /// release). A face finder (`--find-faces`: Fergan.Vision's PhotoFaceCropper) reads photos instead. Only image
    /// folders hold photos: other sources refuse one.
    /// </summary>
    public IFaceCropper? FaceCropper { get; init; }
}
