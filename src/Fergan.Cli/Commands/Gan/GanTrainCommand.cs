using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Torch.Gan.Augment;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Gan.Training;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Gan;

public sealed class GanTrainSettings : TrainingRunSettings
{
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

    [CommandOption("--checkpoint-every <N>")]
    [Description("Steps between checkpoints (and sample grids); overrides the profile.")]
    public int? CheckpointEvery { get; init; }

    [CommandOption("--augment <POLICY>")]
    [Description("DiffAugment policy: none, all, or a comma list of color, translation, cutout; overrides the profile.")]
    public string? Augment { get; init; }

    [CommandOption("--d-steps <N>")]
    [Description("Discriminator updates per generator update; overrides the profile.")]
    public int? DiscriminatorSteps { get; init; }

    [CommandOption("--lr-g <RATE>")]
    [Description("Generator learning rate (Adam); overrides the profile.")]
    public double? GeneratorLearningRate { get; init; }

    [CommandOption("--lr-d <RATE>")]
    [Description("Discriminator learning rate (Adam); overrides the profile.")]
    public double? DiscriminatorLearningRate { get; init; }

    [CommandOption("--lr-decay-start <FRACTION>")]
    [Description("Fraction of the run after which both learning rates fall linearly to zero at the last step; 1 keeps them constant. Overrides the profile (full: 0.5, quick: 1).")]
    public double? DecayStart { get; init; }

    [CommandOption("--ema-decay <D>")]
    [Description("Cap on the decay of the EMA generator that is saved and sampled (default 0.999: it spans at most 1,000 steps). Binds only once the warm-up reaches it (step 8,990 at the default --ema-rampup).")]
    public double? EmaDecay { get; init; }

    [CommandOption("--ema-rampup <F>")]
    [Description("The EMA's warm-up: it averages over about this fraction of the steps so far until --ema-decay binds (default 0.111, the last ninth). Larger: a slower, smoother average.")]
    public double? EmaRampup { get; init; }

    [CommandOption("--classifier-weight <W>")]
    [Description("Weight of the auxiliary classifier loss (AC-GAN: D's head learns real emotions, G is trained to match them); 0 = projection only. Overrides the profile.")]
    public double? ClassifierWeight { get; init; }

    [CommandOption("--guide <DIR>")]
    [Description("A trained classifier (a `fergan train` folder) that guides G toward the requested emotion; must not be the reference network of `gan evaluate`.")]
    public string? Guide { get; init; }

    [CommandOption("--guide-weight <W>")]
    [Description("Weight of the guide's loss in G's (default 1).")]
    public double? GuideWeight { get; init; }

    [CommandOption("--channels-last")]
    [Description("Run G, D and the guide in the channels-last memory layout (same values; faster convolutions on GPUs).")]
    public bool ChannelsLast { get; init; }

    private static readonly Dictionary<string, AugmentPolicy> Policies = new()
    {
        ["none"] = AugmentPolicy.None,
        ["all"] = AugmentPolicy.All,
        ["color"] = AugmentPolicy.Color,
        ["colour"] = AugmentPolicy.Color,
        ["translation"] = AugmentPolicy.Translation,
        ["cutout"] = AugmentPolicy.Cutout,
    };

    /// <summary>"none", "all" or a comma list of parts; null when a part is unknown.</summary>
    public static AugmentPolicy? ParseAugment(string text)
    {
        var policy = AugmentPolicy.None;
        foreach (var part in text.ToLowerInvariant().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Policies.TryGetValue(part, out var p))
            {
                return null;
            }
            policy |= p;
        }
        return policy;
    }

    public override ValidationResult Validate() =>
        Steps is < 1 ? ValidationResult.Error("--steps must be at least 1.")
        : Epochs is <= 0 ? ValidationResult.Error("--epochs must be positive.")
        : Steps is not null && Epochs is not null ? ValidationResult.Error("give --steps or --epochs, not both.")
        : DecayStart is < 0 or > 1 ? ValidationResult.Error($"--lr-decay-start must be a fraction from 0 to 1 (got {DecayStart}).")
        : EmaDecay is < 0 or >= 1 ? ValidationResult.Error($"--ema-decay must be in [0, 1) (got {EmaDecay}).")
        : EmaRampup is <= 0 ? ValidationResult.Error($"--ema-rampup must be a positive fraction (got {EmaRampup}).")
        : Augment is not null && ParseAugment(Augment) is null ? ValidationResult.Error($"--augment: '{Augment}' is not none, all, or a comma list of color, translation, cutout.")
        : base.Validate();
}

public sealed class GanTrainCommand(CliConsoles consoles) : Command<GanTrainSettings>
{
    public override int Execute(CommandContext context, GanTrainSettings settings, CancellationToken cancellationToken)
    {
        var run = new GanRunDirectory(settings.Out!);
        RunFolders.Prepare(run, settings.Resume, settings.Overwrite, "GAN");
        var runtime = TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var dataset = settings.DatasetFor(run);
        var faces = DatasetLoader.Load(dataset, settings.ToOptions(), cancellationToken).Faces;
        var options = Resolve(settings, faces.IndicesOf(DataSplit.Training).Length);
        var command = "fergan " + string.Join(' ', context.Arguments);

        consoles.Error.MarkupLine($"training a conditional GAN on [bold]{Markup.Escape(dataset)}[/] " +
                                  $"({options.Steps:N0} steps, batch {options.BatchSize}, width {options.Architecture.Width}, {runtime.Device}{(options.ChannelsLast ? ", channels-last" : "")}, {runtime.Threads} threads)");
        foreach (var line in RunFolders.ResumeLines(run, settings.Resume, options, "step"))
        {
            consoles.Error.WriteLine(line);
        }
        using var trainer = new GanTrainer(options, faces, run.Root);
        using var limit = TimeLimit.Start(settings.TimeLimit, cancellationToken);
        // A bar on a terminal (the description carries the losses); one line per logged step otherwise.
        var result = ProgressDisplay.Run(consoles.Error, sink => trainer.Train(settings.Resume, command, new SyncProgress<GanProgress>(p =>
        {
            if (sink.HasBar)
            {
                sink.Update(p.Step, p.TotalSteps, Describe(p));
            }
            else
            {
                sink.Line(Describe(p));
            }
        }), limit.Token));
        limit.ThrowIfUserCancelled();

        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, result);
        }
        else
        {
            var status = result.Completed ? "[green]finished[/]" : "[yellow]stopped[/] (resume with --resume)";
            consoles.Out.MarkupLine(result.Completed && result.ResumedFrom == result.Step
                ? $"already finished at step {result.Step:N0}/{result.TotalSteps:N0}: nothing to train (a longer --steps trains on); {result.TrainingSeconds:N0} s of training in all."
                : $"{status} at step {result.Step:N0}/{result.TotalSteps:N0}" +
                  (result.ResumedFrom > 0 ? $" (resumed from {result.ResumedFrom:N0})" : "") +
                  $"; {result.ImagesPerSecond:N0} images/s; {result.TrainingSeconds:N0} s of training in all.");
            consoles.Out.MarkupLine($"generator: [bold]{Markup.Escape(result.ModelFolder)}[/] (generator.json + generator.bin); " +
                                    $"samples: {Markup.Escape(run.SamplesFolder)}; curves: {Markup.Escape(run.CurvesFile)}");
            if (result.Completed)
            {
                var model = Markup.Escape(result.ModelFolder);
                consoles.Out.MarkupLine($"next: fergan gan sample --model {model} --class disgust --count 20 --out disgust.png; " +
                                        $"fergan gan evaluate --model {model} --data {Markup.Escape(dataset)} --checkpoints");
            }
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
            Augment = s.Augment is { } a ? GanTrainSettings.ParseAugment(a)!.Value : options.Augment,
            DiscriminatorSteps = s.DiscriminatorSteps ?? options.DiscriminatorSteps,
            GeneratorLearningRate = s.GeneratorLearningRate ?? options.GeneratorLearningRate,
            DiscriminatorLearningRate = s.DiscriminatorLearningRate ?? options.DiscriminatorLearningRate,
            DecayStart = s.DecayStart ?? options.DecayStart,
            EmaDecay = s.EmaDecay ?? options.EmaDecay,
            EmaRampup = s.EmaRampup ?? options.EmaRampup,
            ClassifierWeight = s.ClassifierWeight ?? options.ClassifierWeight,
            GuideFolder = s.Guide is { } guide ? Path.GetFullPath(guide) : options.GuideFolder,
            GuideWeight = s.GuideWeight ?? options.GuideWeight,
            ChannelsLast = s.ChannelsLast,
            Seed = s.Seed,
            Device = s.Device,
        };
    }

    private static string Describe(GanProgress p) =>
        $"step {p.Step}/{p.TotalSteps}  D {p.DiscriminatorLoss:0.000}  G {p.GeneratorLoss:0.000}  " +
        $"D(real) {p.RealScore:0.00}  D(fake) {p.FakeScore:0.00}" +
        (p.ClassifierAccuracy is { } a ? $"  D-class acc {a:0.00}" : "") +
        (p.GuideAccuracy is { } guide ? $"  guide acc {guide:0.00}" : "") +
        (p.LearningRateScale < 1 ? $"  lr x{p.LearningRateScale:0.00}" : "") + $"  {p.ImagesPerSecond:0} img/s";
}
