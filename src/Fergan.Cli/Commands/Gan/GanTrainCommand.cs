using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Gan.Training;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Gan;

public sealed class GanTrainSettings : TorchDatasetSettings
{
    [CommandOption("--data <DATASET>")]
    [Description(DatasetSettings.DatasetHelp)]
    public string Data { get; init; } = Fergan.Data.Synthetic.SyntheticFaceDataset.SpecPrefix;

    [CommandOption("-o|--out <DIR>")]
    [Description("Run folder: checkpoints, sample grids, curves, log, and the trained generator.")]
    public string? Out { get; init; }

    [CommandOption("--profile <PROFILE>")]
    [Description("quick (minutes on 2 CPU cores) or full (the GPU-sized configuration).")]
    [DefaultValue(GanProfile.Quick)]
    public GanProfile Profile { get; init; } = GanProfile.Quick;

    [CommandOption("--steps <N>")]
    [Description("Training steps (one D and one G update each); overrides the profile.")]
    public int? Steps { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Training length in passes over the Training split (converted to steps); overrides the profile.")]
    public double? Epochs { get; init; }

    [CommandOption("--batch-size <N>")]
    [Description("Images per batch; overrides the profile.")]
    public int? BatchSize { get; init; }

    [CommandOption("--width <N>")]
    [Description("Base channel width of both networks; overrides the profile.")]
    public int? Width { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Steps between checkpoints (and sample grids); overrides the profile.")]
    public int? CheckpointEvery { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of initialisation, noise and batch sampling.")]
    [DefaultValue(2013)]
    public int Seed { get; init; } = 2013;

    [CommandOption("--time-limit <MINUTES>")]
    [Description("Stop cleanly after this many minutes of training (a checkpoint is kept; --resume continues).")]
    public double? TimeLimit { get; init; }

    [CommandOption("--resume")]
    [Description("Continue from the newest checkpoint in --out.")]
    public bool Resume { get; init; }

    [CommandOption("--overwrite")]
    [Description("Delete an earlier run in --out and start again.")]
    public bool Overwrite { get; init; }

    [CommandOption("--json")]
    [Description("Print the run summary as one JSON object.")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required: the run folder.")
        : TimeLimit is <= 0 ? ValidationResult.Error("--time-limit must be positive.")
        : Resume && Overwrite ? ValidationResult.Error("--resume and --overwrite contradict each other.")
        : Steps is < 1 ? ValidationResult.Error("--steps must be at least 1.")
        : Epochs is <= 0 ? ValidationResult.Error("--epochs must be positive.")
        : Steps is not null && Epochs is not null ? ValidationResult.Error("give --steps or --epochs, not both.")
        : base.Validate();
}

public sealed class GanTrainCommand(CliConsoles consoles) : Command<GanTrainSettings>
{
    public override int Execute(CommandContext context, GanTrainSettings settings, CancellationToken cancellationToken)
    {
        var run = new GanRunDirectory(settings.Out!);
        RunFolders.Prepare(run, settings.Resume, settings.Overwrite, "GAN");
        var runtime = TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var faces = DatasetLoader.Load(settings.Data, settings.ToOptions(), cancellationToken).Faces;
        var options = Resolve(settings, faces.IndicesOf(DataSplit.Training).Length);
        var command = "fergan " + string.Join(' ', context.Arguments);

        consoles.Error.MarkupLine($"training a conditional GAN on [bold]{Markup.Escape(settings.Data)}[/] " +
                                  $"({options.Steps:N0} steps, batch {options.BatchSize}, width {options.Architecture.Width}, {runtime.Device}, {runtime.Threads} threads)");
        using var trainer = new GanTrainer(options, faces, run.Root);
        using var limit = TimeLimit.Start(settings.TimeLimit, cancellationToken);
        var result = RunWithProgress(trainer, settings.Resume, command, limit.Token);
        limit.ThrowIfUserCancelled();

        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, result);
        }
        else
        {
            var status = result.Completed ? "[green]finished[/]" : "[yellow]stopped[/] (resume with --resume)";
            consoles.Out.MarkupLine($"{status} at step {result.Step:N0}/{result.TotalSteps:N0}" +
                                    (result.ResumedFrom > 0 ? $" (resumed from {result.ResumedFrom:N0})" : "") +
                                    $"; {result.ImagesPerSecond:N0} images/s; {result.TrainingSeconds:N0} s of training in all.");
            consoles.Out.MarkupLine($"generator: [bold]{Markup.Escape(result.ModelFolder)}[/] (generator.json + generator.bin); " +
                                    $"samples: {Markup.Escape(run.SamplesFolder)}; curves: {Markup.Escape(run.CurvesFile)}");
        }
        return 0;
    }

    private static GanOptions Resolve(GanTrainSettings s, int trainingFaces)
    {
        var options = GanOptions.For(s.Profile);
        var batch = s.BatchSize ?? options.BatchSize;
        var steps = s.Steps ?? (s.Epochs is { } e ? (int)Math.Ceiling(e * trainingFaces / batch) : options.Steps);
        return options with
        {
            Architecture = s.Width is { } w ? GanArchitecture.ForFer2013(w, options.Architecture.LatentSize) : options.Architecture,
            Steps = steps,
            BatchSize = batch,
            CheckpointEvery = s.CheckpointEvery ?? Math.Min(options.CheckpointEvery, steps),
            Seed = s.Seed,
            Device = s.Device,
        };
    }

    private GanRunResult RunWithProgress(GanTrainer trainer, bool resume, string command, CancellationToken cancellationToken)
    {
        if (!consoles.Error.Profile.Capabilities.Interactive)
        {
            // No terminal: one plain line per logged step (Spectre's bar would print bare percentages).
            return trainer.Train(resume, command, new SyncProgress<GanProgress>(p => consoles.Error.WriteLine(Describe(p))), cancellationToken);
        }
        GanRunResult? result = null;
        consoles.Error.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                result = trainer.Train(resume, command, new SyncProgress<GanProgress>(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = Markup.Escape(Describe(p));
                }), cancellationToken);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static string Describe(GanProgress p) =>
        $"step {p.Step}/{p.TotalSteps}  D {p.DiscriminatorLoss:0.000}  G {p.GeneratorLoss:0.000}  " +
        $"D(real) {p.RealScore:0.00}  D(fake) {p.FakeScore:0.00}  {p.ImagesPerSecond:0} img/s";
}
