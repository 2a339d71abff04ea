using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class TrainSettings : TrainingRunSettings
{
    [CommandOption("--arch <ARCH>")]
    [Description("baseline (the seed report's simple CNN), vgg (4 conv stages with BN and dropout) or resnet (ResNet-18-style: 4 stages of 2 residual blocks, global pooling). Default: the profile's (vgg).")]
    public ClassifierKind? Arch { get; init; }

    [CommandOption("--balance <STRATEGY>")]
    [Description("none, cap (trim large classes to --cap), oversample (class-balanced draws), weights (loss weights: square root of the inverse class frequency) or gan (mix generator faces into each batch).")]
    [DefaultValue(BalanceStrategy.None)]
    public BalanceStrategy Balance { get; init; } = BalanceStrategy.None;

    [CommandOption("--cap <N>")]
    [Description("Faces per class kept by --balance cap. Default: the median class size.")]
    public int? Cap { get; init; }

    [CommandOption("--gan <DIR>")]
    [Description("Generator folder for --balance gan. Default: the bundled generator.")]
    public string? Gan { get; init; }

    [CommandOption("--synthetic-ratio <R>")]
    [Description("Fraction of each batch drawn from the generator under --balance gan.")]
    [DefaultValue(0.3)]
    public double SyntheticRatio { get; init; } = 0.3;

    [CommandOption("--synthetic-classes <MIX>")]
    [Description("Emotions of the generated faces under --balance gan: fill (each emotion up to an equal share of the batch) or proportional (the real faces' proportions: a control in which being generated says nothing about the emotion).")]
    [DefaultValue(SyntheticClassMix.Fill)]
    public SyntheticClassMix SyntheticClasses { get; init; } = SyntheticClassMix.Fill;

    [CommandOption("--oversample-real")]
    [Description("Under --balance gan, draw the real faces with every emotion equally likely too (as --balance oversample does).")]
    public bool OversampleReal { get; init; }

    [CommandOption("--profile <PROFILE>")]
    [Description("quick (minutes on 2 CPU cores) or full (the GPU-sized configuration).")]
    [DefaultValue(ClassifierProfile.Quick)]
    public ClassifierProfile Profile { get; init; } = ClassifierProfile.Quick;

    [CommandOption("--epochs <N>")]
    [Description("Passes over the Training split; overrides the profile.")]
    public int? Epochs { get; init; }

    [CommandOption("--keep-checkpoints <N>")]
    [Description("Checkpoints kept in --out/checkpoints, the newest N (default 2): more lets `export checkpoint` take earlier epochs, or a copy of the run branch from one (bench/branch-soup-cpu.sh).")]
    public int? KeepCheckpoints { get; init; }

    [CommandOption("--init <DIR>")]
    [Description("Start from this trained classifier's weights (a `fergan train` folder or a bundled model) instead of random ones: fine-tuning. Its --arch and --width unless given. Selection starts from its PublicTest score, so the run never ends with a worse model there.")]
    public string? Init { get; init; }

    [CommandOption("--swa-epochs <N>")]
    [Description("Stochastic weight averaging: after the --epochs of the main schedule, N more epochs at the constant --swa-lr; the mean of their weights (batch-norm statistics measured again) becomes the model if PublicTest prefers it. Turns the profile's early stopping off (a run stopped early would never reach them). Default: 0 (none).")]
    public int? SwaEpochs { get; init; }

    [CommandOption("--swa-lr <RATE>")]
    [Description("Constant learning rate of the --swa-epochs. Default: a fifth of --lr.")]
    public double? SwaLearningRate { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("Peak learning rate of SGD (warm-up, then cosine decay); overrides the profile.")]
    public double? LearningRate { get; init; }

    [CommandOption("--patience <N>")]
    [Description("Stop after N epochs without a better validation accuracy (0: never); overrides the profile.")]
    public int? Patience { get; init; }

    [CommandOption("--select-without-copies")]
    [Description("Select on PublicTest without its exact or near copies of Training faces (a model reads those from memory; see `fergan data duplicates`).")]
    public bool SelectWithoutCopies { get; init; }

    [CommandOption("--no-augment")]
    [Description("Train without random rotation, scaling, shift, flip and erasing.")]
    public bool NoAugment { get; init; }

    [CommandOption("--photometric <P>")]
    [Description("Chance that a training face also gets light and sensor changes (darker or brighter exposure with gamma, lost contrast, blur, noise; each with probability 1/2). 0: off.")]
    [DefaultValue(0.0)]
    public double Photometric { get; init; }

    [CommandOption("--teacher <DIR>")]
    [Description("Distil from this trained classifier (a `fergan train` folder or a bundled model); give it more than once to distil from their average. The student learns the teachers' softened predictions on each augmented batch beside the labels.")]
    public string[] Teachers { get; init; } = [];

    [CommandOption("--teacher-probabilities <CSV>")]
    [Description("Distil from saved teacher predictions instead: the file `fergan evaluate --split Training --probabilities` writes on the same data (one or more --model, --tta if wanted), joined to the faces by source row. No teacher runs during training, so an ensemble with TTA costs nothing per step; its targets are the clean faces', not the augmented batch's.")]
    public string? TeacherProbabilities { get; init; }

    [CommandOption("--distill-weight <W>")]
    [Description("Share of the teachers' loss, 0-1 (the labels' is 1 - W). Default: 0.5. Needs --teacher or --teacher-probabilities.")]
    public double? DistillWeight { get; init; }

    [CommandOption("--distill-temperature <T>")]
    [Description("Softmax temperature of the distillation loss (saved probabilities are softened alike: p^(1/T), renormalised). Default: 2. Needs --teacher or --teacher-probabilities.")]
    public double? DistillTemperature { get; init; }

    [CommandOption("--precision <FORMAT>")]
    [Description(PrecisionHelp.Text + " Validation (model selection) always computes in fp32.")]
    [DefaultValue(ComputePrecision.Fp32)]
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    [CommandOption("--channels-last")]
    [Description(PrecisionHelp.ChannelsLast)]
    public bool ChannelsLast { get; init; }

    public override ValidationResult Validate() =>
        Epochs is < 0 ? ValidationResult.Error("--epochs must not be negative (0: only --swa-epochs, e.g. from --init).")
        : SwaEpochs is < 0 ? ValidationResult.Error("--swa-epochs must not be negative.")
        : KeepCheckpoints is < 1 ? ValidationResult.Error($"--keep-checkpoints must be at least 1 (got {KeepCheckpoints}): resuming needs one.")
        : Epochs == 0 && SwaEpochs is null or 0 ? ValidationResult.Error("--epochs 0 trains nothing without --swa-epochs.")
        : SwaLearningRate is not null && SwaEpochs is null or 0 ? ValidationResult.Error("--swa-lr only applies with --swa-epochs.")
        : SwaLearningRate is <= 0 ? ValidationResult.Error($"--swa-lr must be positive (got {SwaLearningRate}).")
        : SwaEpochs is > 0 && Patience is > 0 ? ValidationResult.Error("--swa-epochs and --patience do not go together: a run stopped early would never reach its averaging epochs.")
        : Photometric is < 0 or > 1 ? ValidationResult.Error($"--photometric must be between 0 and 1 (got {Photometric}).")
        : NoAugment && Photometric > 0 ? ValidationResult.Error("--photometric is an augmentation; it cannot go with --no-augment.")
        : SyntheticRatio is <= 0 or >= 1 ? ValidationResult.Error("--synthetic-ratio must be between 0 and 1.")
        : Gan is not null && Balance != BalanceStrategy.Gan ? ValidationResult.Error("--gan only applies with --balance gan.")
        : (SyntheticClasses != SyntheticClassMix.Fill || OversampleReal) && Balance != BalanceStrategy.Gan
            ? ValidationResult.Error("--synthetic-classes and --oversample-real only apply with --balance gan.")
        : Cap is not null && Balance != BalanceStrategy.Cap ? ValidationResult.Error("--cap only applies with --balance cap.")
        : Teachers.Length > 0 && TeacherProbabilities is not null
            ? ValidationResult.Error("--teacher and --teacher-probabilities do not go together: distil from live teachers or from saved predictions (`fergan evaluate --split Training --probabilities` with several --model saves their ensemble's).")
        : TeacherProbabilities is { } saved && !File.Exists(saved) ? ValidationResult.Error($"--teacher-probabilities: no file at {saved}.")
        : (DistillWeight is not null || DistillTemperature is not null) && Teachers.Length == 0 && TeacherProbabilities is null
            ? ValidationResult.Error("--distill-weight and --distill-temperature only apply with --teacher or --teacher-probabilities.")
        : DistillWeight is < 0 or > 1 ? ValidationResult.Error($"--distill-weight must be between 0 and 1 (got {DistillWeight}).")
        : DistillTemperature is <= 0 ? ValidationResult.Error($"--distill-temperature must be positive (got {DistillTemperature}).")
        : base.Validate();
}

/// <summary>`fergan train`: one classifier run, selected on PublicTest.</summary>
public sealed class TrainCommand(CliConsoles consoles) : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        var run = new ClassifierRunDirectory(settings.Out!);
        RunFolders.Prepare(run, settings.Resume, settings.Overwrite, "training");
        var runtime = TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var dataset = settings.DatasetFor(run);
        var faces = DatasetLoader.Load(dataset, settings.ToOptions(), cancellationToken).Faces;
        var options = Resolve(settings);
        var command = "fergan " + string.Join(' ', context.Arguments);
        var ganCard = options.GanFolder is { } ganFolder ? TryReadGeneratorCard(ganFolder) : null;
        consoles.Error.MarkupLine($"training [bold]{options.Architecture}[/] on [bold]{Markup.Escape(dataset)}[/] with balance {options.Balance.ToString().ToLowerInvariant()} " +
                                  $"({options.Epochs} epochs" + (options.SwaEpochs > 0 ? $" + {options.SwaEpochs} averaged at lr {options.ResolvedSwaLearningRate:0.#####}" : "") + $", batch {options.BatchSize}, {runtime.Device}, {runtime.Threads} threads, {PrecisionHelp.Describe(options.Precision, options.ChannelsLast)})" +
                                  (options.InitialWeights is { } init ? $", from the weights of {Markup.Escape(init)}" : "") +
                                  (options.GanFolder is { } gan ? $", generated faces from {Markup.Escape(gan)} ({GanSummary(ganCard)})" : "") +
                                  (options.Teachers.Count > 0 ? $", distilled from {options.Teachers.Count} teacher(s)" : "") +
                                  (options.TeacherProbabilities is { } saved ? $", distilled from the predictions saved in {Markup.Escape(saved)}" : "") +
                                  (options.Distils ? $" (weight {options.DistillWeight}, temperature {options.DistillTemperature})" : ""));
        if (options.GanFolder is { } generator && ganCard?.LabelCaution(generator) is { } caution)
        {
            consoles.Error.MarkupLine($"[yellow]warning:[/] {Markup.Escape(caution)}");
        }
        foreach (var line in RunFolders.ResumeLines(run, settings.Resume, options, "epoch"))
        {
            consoles.Error.WriteLine(line);
        }
        using var trainer = new ClassifierTrainer(options, faces, run.Root);
        using var limit = TimeLimit.Start(settings.TimeLimit, cancellationToken);
        // A line per epoch always; on a terminal also a bar that moves with every batch.
        var result = ProgressDisplay.Run(consoles.Error, sink => trainer.Train(settings.Resume, command,
            new SyncProgress<ClassifierEpoch>(e => sink.Line(Describe(e))),
            sink.HasBar ? new SyncProgress<ClassifierStep>(s => sink.Update((s.Epoch - 1.0) * s.Batches + s.Batch, (double)s.Epochs * s.Batches, $"epoch {s.Epoch}/{s.Epochs}")) : null,
            limit.Token));
        limit.ThrowIfUserCancelled();
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, result);
            return 0;
        }
        var status = result.Completed ? (result.StoppedEarly ? "[green]stopped early[/] (no better validation accuracy)" : "[green]finished[/]") : "[yellow]stopped[/] (resume with --resume)";
        consoles.Out.MarkupLine(result.Completed && result.ResumedFrom > 0 && result.ResumedFrom == result.Epoch
            ? $"already {(result.StoppedEarly ? "stopped early" : "finished")} after epoch {result.Epoch}/{result.Epochs}: nothing to train" +
              (result.StoppedEarly ? "" : $" (a longer --epochs trains on)") + $"; {result.TrainingSeconds:N0} s of training in all."
            : $"{status} after epoch {result.Epoch}/{result.Epochs}" + (result.ResumedFrom > 0 ? $" (resumed from {result.ResumedFrom})" : "") +
              $"; {result.ImagesPerSecond:N0} images/s; {result.TrainingSeconds:N0} s of training in all.");
        if (result.Average is { } average)
        {
            consoles.Out.MarkupLine($"weight average of {Epochs(average.FirstEpoch, average.LastEpoch)}: {average.Scores.Split} accuracy {average.Scores.Accuracy:P2}, " +
                                    $"macro-F1 {average.Scores.MacroF1:0.000} ({(average.Selected ? "selected" : "not better than the selected epoch")})");
        }
        if (result.Best is { } best)
        {
            var which = best.AveragedFromEpoch is { } from ? $"the average of {Epochs(from, best.Epoch)}" : best.Epoch == 0 ? "the initial weights (epoch 0)" : $"epoch {best.Epoch}";
            consoles.Out.MarkupLine($"selected {which}: {best.Split} accuracy [bold]{best.Accuracy:P2}[/], macro-F1 {best.MacroF1:0.000}");
        }
        consoles.Out.MarkupLine($"model: [bold]{Markup.Escape(result.ModelFolder)}[/]; curves: {Markup.Escape(run.CurvesFile)}");
        if (result.Completed)
        {
            // What a new user does next: score it (PrivateTest once, for the model reported), and export it for photos.
            var model = Markup.Escape(result.ModelFolder);
            consoles.Out.MarkupLine($"next: fergan evaluate --model {model} --data {Markup.Escape(dataset + settings.RepeatedArguments())} --split PrivateTest; " +
                                    $"fergan export onnx --model {model} --out {Markup.Escape(Path.Combine(result.ModelFolder, "classifier.onnx"))} (for predict and serve)");
        }
        return 0;
    }

    private static ClassifierOptions Resolve(TrainSettings s)
    {
        var options = ClassifierOptions.For(s.Profile);
        // Fine-tuning keeps the network it starts from unless --arch or --width says otherwise (the trainer then names
        // the mismatch): `--init models/classifier` alone must not fail because the profile's vgg is narrower.
        var architecture = (s.Init is not null && s.Arch is null && s.Width is null ? ArchitectureOf(s.Init) : null)
            ?? options.Architecture with
            {
                Kind = s.Arch ?? options.Architecture.Kind,
                Width = s.Width ?? (s.Arch == ClassifierKind.Baseline && s.Profile == ClassifierProfile.Quick ? 32 : options.Architecture.Width),
            };
        return (options with
        {
            Architecture = architecture,
            Epochs = s.Epochs ?? options.Epochs,
            KeepCheckpoints = s.KeepCheckpoints ?? options.KeepCheckpoints,
            BatchSize = s.BatchSize ?? options.BatchSize,
            LearningRate = s.LearningRate ?? options.LearningRate,
            InitialWeights = s.Init is null ? null : Path.GetFullPath(s.Init),
            SelectWithoutTrainingCopies = s.SelectWithoutCopies,
            Augment = s.NoAugment ? ClassifierAugment.Off : options.Augment with { PhotometricProbability = s.Photometric },
            Balance = s.Balance,
            CapPerClass = s.Cap,
            GanFolder = s.Balance == BalanceStrategy.Gan ? s.Gan ?? Fergan.Torch.Gan.Sampling.GanGenerator.BundledFolder : null,
            SyntheticRatio = s.SyntheticRatio,
            SyntheticClasses = s.SyntheticClasses,
            OversampleReal = s.OversampleReal,
            Seed = s.Seed,
            Device = s.Device,
            Precision = s.Precision,
            ChannelsLast = s.ChannelsLast,
            // Full paths: the card and a resume compare them, whatever folder the command ran from.
            Teachers = s.Teachers.Select(Path.GetFullPath).ToList(),
            TeacherProbabilities = s.TeacherProbabilities is null ? null : Path.GetFullPath(s.TeacherProbabilities),
            DistillWeight = s.DistillWeight ?? options.DistillWeight,
            DistillTemperature = s.DistillTemperature ?? options.DistillTemperature,
        }).WithAveraging(s.SwaEpochs ?? 0, s.SwaLearningRate, s.Patience);
    }

    /// <summary>The network of a trained classifier folder, or null where its card cannot be read (the trainer reports that).</summary>
    private static ClassifierArchitecture? ArchitectureOf(string folder)
    {
        try
        {
            return ClassifierCard.Read(folder).Architecture;
        }
        catch (FerganException)
        {
            return null;
        }
    }

    /// <summary>The card of the generator mixed in, or null where it is unreadable (the trainer reports that).</summary>
    private static Fergan.Torch.Gan.Sampling.GeneratorCard? TryReadGeneratorCard(string folder)
    {
        try
        {
            return Fergan.Torch.Gan.Sampling.GeneratorCard.Read(folder);
        }
        catch (FerganException)
        {
            return null;
        }
    }

    /// <summary>Step and training data of the generator mixed in.</summary>
    private static string GanSummary(Fergan.Torch.Gan.Sampling.GeneratorCard? card) =>
        card is null ? "no readable generator card" : Markup.Escape($"step {card.Step:N0}, trained on {card.Data}");

    private static string Epochs(int first, int last) => first == last ? $"epoch {first}" : $"epochs {first}-{last}";

    private static string Describe(ClassifierEpoch e) =>
        $"epoch {e.Epoch}/{e.Epochs}  train loss {e.TrainLoss:0.000} acc {e.TrainAccuracy:0.000}  " +
        $"val loss {e.ValidationLoss:0.000} acc {e.ValidationAccuracy:0.000} macro-F1 {e.ValidationMacroF1:0.000}  " +
        $"lr {e.LearningRate:0.0000}  {e.ImagesPerSecond:0} img/s{(e.Best ? "  *best" : "")}";
}
