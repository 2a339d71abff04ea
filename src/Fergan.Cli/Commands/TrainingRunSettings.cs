using System.ComponentModel;
using Fergan.Torch.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

/// <summary>
/// The options every training command shares (`gan train`, `train`), with the same names and meanings: the data,
/// the run folder and how to treat an earlier run in it, batch size, width, seed, a time limit, JSON output.
/// </summary>
public abstract class TrainingRunSettings : TorchDatasetSettings
{
    [CommandOption("--data <DATASET>")]
    [Description(DatasetSettings.DatasetHelp + " With --resume: the run's own data.")]
    public string? Data { get; init; }

    [CommandOption("-o|--out <DIR>")]
    [Description("Run folder: options, log, checkpoints, curves, and the trained model.")]
    public string? Out { get; init; }

    [CommandOption("--batch-size <N>")]
    [Description("Images per batch; overrides the profile.")]
    public int? BatchSize { get; init; }

    [CommandOption("--width <N>")]
    [Description("Base channel width of the networks; overrides the profile.")]
    public int? Width { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of initialisation, batch order, noise and augmentation.")]
    [DefaultValue(2013)]
    public int Seed { get; init; } = 2013;

    [CommandOption("--time-limit <MINUTES>")]
    [Description("Stop cleanly after this many minutes of training (a checkpoint is kept; --resume continues).")]
    public double? TimeLimit { get; init; }

    [CommandOption("--resume")]
    [Description("Continue from the newest checkpoint in --out, on the run's data unless --data is given; give the options the run began with (the header lists any that differ; a change of recipe is refused).")]
    public bool Resume { get; init; }

    [CommandOption("--overwrite")]
    [Description("Delete an earlier run in --out and start again.")]
    public bool Overwrite { get; init; }

    [CommandOption("--json")]
    [Description("Print the run summary as one JSON object.")]
    public bool Json { get; init; }

    /// <summary>
    /// --data; when resuming without it, the data the run learnt from (its data.json: the bundled default would be
    /// refused as other data); else the bundled synthetic set. A run from before data.json existed cannot say what
    /// it learnt from, and the default would go unchecked, so resuming one needs --data.
    /// </summary>
    public string DatasetFor(RunDirectory run)
    {
        if (Data is not null || !Resume)
        {
            return Data ?? Fergan.Data.Synthetic.SyntheticFaceDataset.SpecPrefix;
        }
        if (run.ReadData() is { } saved)
        {
            return saved.Source;
        }
        if (run.Checkpoints().Count > 0)
        {
            throw new FerganException($"{run.Root} does not record the data it was trained on (no data.json: an earlier Fergan made it); resume it with --data and the dataset it was trained on.");
        }
        return Fergan.Data.Synthetic.SyntheticFaceDataset.SpecPrefix;
    }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required: the run folder.")
        : TimeLimit is <= 0 ? ValidationResult.Error("--time-limit must be positive.")
        : Resume && Overwrite ? ValidationResult.Error("--resume and --overwrite contradict each other.")
        : BatchSize is < 2 ? ValidationResult.Error("--batch-size must be at least 2.")
        : base.Validate();
}
