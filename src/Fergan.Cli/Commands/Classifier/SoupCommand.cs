using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Torch.Classifier.Soups;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class SoupSettings : TorchDatasetSettings
{
    [CommandOption("--model <DIR>")]
    [Description("A classifier folder to average; give it at least twice. Fine-tunes of one trained model (`train --init`, `export checkpoint` for their epochs): networks trained from different random starts do not average into a classifier.")]
    public string[]? Model { get; init; }

    [CommandOption("--data <DATASET>")]
    [Description(DatasetSettings.DatasetHelp + " Its PublicTest chooses the soup; its Training faces give the soup's batch-norm statistics.")]
    public string Data { get; init; } = Fergan.Data.Synthetic.SyntheticFaceDataset.SpecPrefix;

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder for the soup (card + weights), a classifier folder like any other.")]
    public string? Out { get; init; }

    [CommandOption("--recipe <RECIPE>")]
    [Description("greedy (ingredients ranked by PublicTest accuracy; each joins if the soup's PublicTest accuracy does not fall), uniform (the mean of all) or weighted (the mean of all in the shares of --weights).")]
    [DefaultValue(SoupRecipe.Greedy)]
    public SoupRecipe Recipe { get; init; } = SoupRecipe.Greedy;

    [CommandOption("--weights <LIST>")]
    [Description("With --recipe weighted: each --model's share of the mean, in their order, comma-separated (e.g. 0.7,0.3; scaled to sum to 1).")]
    public string? Weights { get; init; }

    [CommandOption("--statistics-faces <N>")]
    [Description("Training faces each candidate's batch-norm statistics are measured on (augmented as the first model was trained).")]
    [DefaultValue(8192)]
    public int StatisticsFaces { get; init; } = 8192;

    [CommandOption("--batch-size <N>")]
    [Description("Batch size of that measurement. Default: the first model's training batch size.")]
    public int? BatchSize { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the statistics faces and their augmentation.")]
    [DefaultValue(2013)]
    public int Seed { get; init; } = 2013;

    [CommandOption("--overwrite")]
    [Description("Replace --out if it holds files.")]
    public bool Overwrite { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object: the recipe, each ingredient's PublicTest scores alone, every candidate tried, and the soup's selection scores.")]
    public bool Json { get; init; }

    public SoupOptions ToSoupOptions() => new()
    {
        Models = Model ?? [],
        Recipe = Recipe,
        Weights = ParsedWeights(),
        StatisticsFaces = StatisticsFaces,
        BatchSize = BatchSize,
        Seed = Seed,
        Device = Device,
    };

    /// <summary>--weights as numbers; null when absent or when an entry is not a number (Validate names it).</summary>
    private IReadOnlyList<double>? ParsedWeights()
    {
        var entries = Weights?.Split(',', StringSplitOptions.TrimEntries);
        var numbers = entries?.Select(e => double.TryParse(e, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var w) ? w : (double?)null).ToList();
        return numbers is null || numbers.Any(n => n is null) ? null : numbers.Select(n => n!.Value).ToList();
    }

    public override ValidationResult Validate() =>
        Model is not { Length: >= 2 } ? ValidationResult.Error($"give --model at least twice: a soup averages two classifiers or more (got {Model?.Length ?? 0}).")
        : Out is null ? ValidationResult.Error("--out is required: the folder for the soup.")
        : Weights is not null && ParsedWeights() is null ? ValidationResult.Error($"--weights {Weights}: give numbers separated by commas, one per --model (e.g. 0.7,0.3).")
        : ToSoupOptions().Validate() is { Count: > 0 } problems ? ValidationResult.Error(string.Join("; ", problems) + ".")
        : base.Validate();
}

/// <summary>`fergan soup`: one classifier whose weights average several fine-tunes of one model, chosen on PublicTest.</summary>
public sealed class SoupCommand(CliConsoles consoles) : Command<SoupSettings>
{
    public override int Execute(CommandContext context, SoupSettings settings, CancellationToken cancellationToken)
    {
        OutputPaths.EnsureWritable(settings.Out!, settings.Overwrite, "--out");
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var faces = DatasetLoader.Load(settings.Data, settings.ToOptions(), cancellationToken).Faces;
        var options = settings.ToSoupOptions();
        var command = "fergan " + string.Join(' ', context.Arguments);
        consoles.Error.MarkupLine($"a [bold]{options.Recipe.ToString().ToLowerInvariant()}[/] soup of {options.Models.Count} classifiers on [bold]{Markup.Escape(settings.Data)}[/], " +
                                   (options.Recipe == SoupRecipe.Greedy ? "chosen on PublicTest" : "scored on PublicTest"));
        var result = ProgressDisplay.Run(consoles.Error, sink => ClassifierSoup.Cook(options, faces, settings.Out!, command,
            new SyncProgress<SoupStep>(s =>
            {
                sink.Update(s.Done, s.Total, Describe(s));
                if (!sink.HasBar && s.Stage != SoupStage.Done)
                {
                    sink.Line($"[{s.Done}/{s.Total}] {Describe(s)}");
                }
            }), cancellationToken));
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, result);
            return 0;
        }
        var table = new Table().AddColumns("ingredient", "PublicTest alone", "macro-F1", "in the soup");
        var shares = result.Record.Shares;
        foreach (var (ingredient, index) in result.Record.Ingredients.Select((ingredient, index) => (ingredient, index)))
        {
            var inSoup = !ingredient.Kept ? "no" : shares is null ? "[green]yes[/]" : $"[green]share {shares[index]:0.###}[/]";
            table.AddRow(Markup.Escape(ingredient.Folder), $"{ingredient.Alone.Accuracy:P2}", $"{ingredient.Alone.MacroF1:0.000}", inSoup);
        }
        consoles.Out.Write(table);
        foreach (var trial in result.Record.Trials)
        {
            consoles.Out.MarkupLine((trial.Added is { } added ? $"with {Markup.Escape(added)}" : "all of them") +
                                    $": {trial.Ingredients} ingredients, PublicTest {trial.Scores.Accuracy:P2}, macro-F1 {trial.Scores.MacroF1:0.000}" +
                                    (trial.Added is null ? "" : trial.Kept ? " [green](kept)[/]" : " (dropped: PublicTest fell)"));
        }
        var kept = result.Record.Ingredients.Count(i => i.Kept);
        consoles.Out.MarkupLine(kept == 1
            ? $"no ingredient improved on the best one alone: the soup is {Markup.Escape(result.Record.Ingredients.First(i => i.Kept).Folder)} as it is, PublicTest {result.Selection.Accuracy:P2}"
            : $"soup of {kept} classifiers: PublicTest accuracy [bold]{result.Selection.Accuracy:P2}[/], macro-F1 {result.Selection.MacroF1:0.000}");
        consoles.Out.MarkupLine($"model: [bold]{Markup.Escape(result.Folder)}[/]; next: fergan evaluate --model {Markup.Escape(result.Folder)} --data {Markup.Escape(settings.Data + settings.RepeatedArguments())} --split PrivateTest " +
                                $"(once, for the model you report); fergan export onnx --model {Markup.Escape(result.Folder)} --out {Markup.Escape(Path.Combine(result.Folder, "classifier.onnx"))}");
        return 0;
    }

    private static string Describe(SoupStep step) => step.Stage switch
    {
        SoupStage.ScoringIngredient => $"scoring {Path.GetFileName(Path.TrimEndingDirectorySeparator(step.Folder!))} alone",
        SoupStage.TastingCandidate when step.Folder is not null => $"tasting the soup with {Path.GetFileName(Path.TrimEndingDirectorySeparator(step.Folder))}",
        SoupStage.TastingCandidate => "measuring the soup",
        _ => "done",
    };
}
