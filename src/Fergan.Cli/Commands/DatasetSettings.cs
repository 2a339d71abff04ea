using System.ComponentModel;
using Fergan.Data.FerPlus;
using Fergan.Data.Loading;
using Fergan.Data.Synthetic;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

/// <summary>
/// The dataset of the data commands, plus the shared dataset options. It is an argument (`data stats fer2013.csv`),
/// and also `--data`, the name train, evaluate and the gan commands give it, so a user who types either is understood.
/// </summary>
public class DatasetSettings : DatasetOptionSettings
{
    public const string DatasetHelp =
        "fer2013.csv or .csv.gz, an image-folder root (<split>/<class>/*.png), a .fgn file, or synthetic[[:count[[:seed]]]][[:balanced]]. Default: the bundled synthetic set.";

    [CommandArgument(0, "[dataset]")]
    [Description(DatasetHelp)]
    public string? DatasetArgument { get; init; }

    [CommandOption("--data <DATASET>")]
    [Description("The dataset, as the argument above (the name train, evaluate and the gan commands use); give one of the two.")]
    public string? Data { get; init; }

    /// <summary>The dataset named by the argument or by --data, else the bundled synthetic set.</summary>
    public string Dataset => Data ?? DatasetArgument ?? SyntheticFaceDataset.SpecPrefix;

    public override ValidationResult Validate() =>
        Data is not null && DatasetArgument is not null && Data != DatasetArgument
            ? ValidationResult.Error($"Two datasets given: {DatasetArgument} (argument) and {Data} (--data); give one.")
            : base.Validate();
}

/// <summary>The options every dataset-reading command shares (the dataset itself is an argument or --data).</summary>
public class DatasetOptionSettings : CommandSettings
{
    [CommandOption("--skip-bad")]
    [Description("Skip malformed rows or files (counted and reported) instead of stopping at the first.")]
    public bool SkipBad { get; init; }

    [CommandOption("--ferplus <FILE>")]
    [Description("Use FER+ crowd labels from this fer2013new.csv instead of FER2013's (joined by row).")]
    public string? FerPlus { get; init; }

    [CommandOption("--ferplus-mode <MODE>")]
    [Description("majority (clear winners only) or probability (vote shares as soft labels).")]
    [DefaultValue(FerPlusMode.Majority)]
    public FerPlusMode FerPlusMode { get; init; } = FerPlusMode.Majority;

    [CommandOption("--split-mode <MODE>")]
    [Description("auto (the source's split; a stratified 80/10/10 one where it has none; a stratified tenth of Training as PublicTest where it has train and test splits only), source, or stratified (always a new 80/10/10 split).")]
    [DefaultValue(SplitMode.Auto)]
    public SplitMode Split { get; init; } = SplitMode.Auto;

    [CommandOption("--split-seed <N>")]
    [Description("Seed of the stratified split.")]
    [DefaultValue(2013)]
    public int SplitSeed { get; init; } = 2013;

    [CommandOption("--no-cache")]
    [Description("Parse the source again instead of using the binary parse cache.")]
    public bool NoCache { get; init; }

#if !FERGAN_TRAINING_ONLY // a training-only build has no photo pipeline to find faces with
    [CommandOption("--find-faces [DETECTOR]")]
    [Description("The image folder holds photos, not face crops: find the largest face in each with BlazeFace (auto, the default, near or far, as predict's --detector), align and crop it as predict does. A photo without a face stops the load, or is skipped with --skip-bad.")]
    public FlagValue<string>? FindFaces { get; init; }
#endif

    public DatasetOptions ToOptions() => new()
    {
        SkipBad = SkipBad,
        FerPlus = FerPlus,
        FerPlusMode = FerPlusMode,
        Split = Split,
        SplitSeed = SplitSeed,
        UseCache = !NoCache,
#if !FERGAN_TRAINING_ONLY
        FaceCropper = Photos.FaceFinderOption.Cropper(FindFaces),
#endif
    };

    /// <summary>
    /// These options as arguments, where they differ from the defaults (the same faces need them again): for the
    /// next command a command suggests, such as train's `evaluate`.
    /// </summary>
    public string RepeatedArguments()
    {
        var text = new System.Text.StringBuilder();
        if (FerPlus is not null) text.Append($" --ferplus {FerPlus}").Append(FerPlusMode == FerPlusMode.Majority ? "" : $" --ferplus-mode {FerPlusMode.ToString().ToLowerInvariant()}");
        if (Split != SplitMode.Auto) text.Append($" --split-mode {Split.ToString().ToLowerInvariant()}");
        if (SplitSeed != new DatasetOptions().SplitSeed) text.Append($" --split-seed {SplitSeed}");
#if !FERGAN_TRAINING_ONLY
        text.Append(Photos.FaceFinderOption.Repeated(FindFaces));
#endif
        if (SkipBad) text.Append(" --skip-bad");
        return text.ToString();
    }

    public override ValidationResult Validate()
    {
        if (FerPlus is { } f && !File.Exists(f)) return ValidationResult.Error($"--ferplus: no file at {f}.");
#if !FERGAN_TRAINING_ONLY
        if (Photos.FaceFinderOption.Problem(FindFaces) is { } problem) return ValidationResult.Error(problem);
#endif
        return ValidationResult.Success();
    }
}

/// <summary>Dataset options plus the libtorch options, for commands that train or generate from a dataset.</summary>
public class TorchDatasetSettings : DatasetOptionSettings, ITorchSettings
{
    [CommandOption("--libtorch <DIR>")]
    [Description(TorchOptionHelp.LibTorch)]
    public string? LibTorch { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description(TorchOptionHelp.Device)]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--threads <N>")]
    [Description(TorchOptionHelp.Threads)]
    public int? Threads { get; init; }

    [CommandOption("--onednn-isa <ISA>")]
    [Description(TorchOptionHelp.OneDnnIsa)]
    [DefaultValue(TorchRuntimeOptions.DefaultOneDnnMaxIsa)]
    public string OneDnnIsa { get; init; } = TorchRuntimeOptions.DefaultOneDnnMaxIsa;
}
