using System.ComponentModel;
using System.Text.Json;
using Fergan.Cli.Infrastructure;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Torch.Experiments;
using Fergan.Torch.Runtime;
using Fergan.Torch.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Classifier;

public sealed class ExperimentSettings : TorchSettings
{
    [CommandArgument(0, "<spec>")]
    [Description("Experiment spec (JSON): data, recipe, and the strategies with their seeds. See experiments/*.json.")]
    public string Spec { get; init; } = "";

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder for the runs and the summary; a second call with the same folder skips finished runs and resumes the rest.")]
    public string? Out { get; init; }

    [CommandOption("--time-limit <MINUTES>")]
    [Description("Stop after this many minutes: the run in progress is left to resume, and the summary covers the finished runs.")]
    public double? TimeLimit { get; init; }

    [CommandOption("--json")]
    [Description("Print the per-strategy summary as JSON.")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required: the experiment folder.") : base.Validate();
}

/// <summary>`fergan experiment`: a resumable grid of classifier runs and its comparison table.</summary>
public sealed class ExperimentCommand(CliConsoles consoles) : Command<ExperimentSettings>
{
    public override int Execute(CommandContext context, ExperimentSettings settings, CancellationToken cancellationToken)
    {
        var spec = ExperimentSpec.Read(settings.Spec);
        TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var faces = DatasetLoader.Load(spec.Data, new DatasetOptions(), cancellationToken).Faces;
        Directory.CreateDirectory(settings.Out!);
        File.Copy(settings.Spec, Path.Combine(settings.Out!, "spec.json"), overwrite: true);
        var runner = new ExperimentRunner(spec, faces, settings.Out!, settings.Device);
        using var limit = TimeLimit.Start(settings.TimeLimit, cancellationToken);
        var outcome = runner.Run(new SyncProgress<ExperimentProgress>(p => consoles.Error.WriteLine(Describe(p))), limit.Token);
        limit.ThrowIfUserCancelled();
        var results = outcome.Results;
        var summary = ExperimentSummary.Summarise(results, spec.Runs.Select(arm => arm.Label).ToList());
        var markdown = ExperimentSummary.Markdown(summary, spec.EvaluateOn.ToString());
        RunDirectory.WriteAtomically(Path.Combine(settings.Out!, "summary.json"), t => File.WriteAllText(t, JsonSerializer.Serialize(new { spec, strategies = summary, runs = results, failed = outcome.Failures }, RunDirectory.Json)));
        RunDirectory.WriteAtomically(Path.Combine(settings.Out!, "summary.md"), t => File.WriteAllText(t, markdown));
        if (summary.Count > 0)
        {
            OptionalPlot.TryDraw(() => RunDirectory.WriteAtomically(Path.Combine(settings.Out!, "summary.png"), t => File.WriteAllBytes(t, ExperimentSummary.Plot(summary, spec.EvaluateOn.ToString()))));
        }
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, summary);
        }
        else
        {
            consoles.Out.WriteLine(markdown);
            consoles.Out.MarkupLine($"runs, summary.json and summary.md: [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/]");
        }
        if (outcome.Failures.Count == 0)
        {
            return 0;
        }
        // The summary above covers the runs that finished; the failed ones are named again here, after it, with why.
        consoles.Error.WriteLine($"error: {outcome.Failures.Count} run(s) failed and are left out of the summary:");
        foreach (var failure in outcome.Failures)
        {
            consoles.Error.WriteLine($"  {failure.Name}: {failure.Reason}");
        }
        return 1;
    }

    private static string Describe(ExperimentProgress p) => p.Epoch is { } e
        ? $"[{p.Run}/{p.Runs}] {p.Name} epoch {e.Epoch}/{e.Epochs} train acc {e.TrainAccuracy:0.000} val acc {e.ValidationAccuracy:0.000} macro-F1 {e.ValidationMacroF1:0.000} {e.ImagesPerSecond:0} img/s"
        : $"[{p.Run}/{p.Runs}] {p.Name}: {p.Status}";
}
