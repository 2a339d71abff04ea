#:project ../../src/Fergan.Torch/Fergan.Torch.csproj
#:property PublishAot=false
#:property TreatWarningsAsErrors=false
// Per-emotion FID of every checkpoint of a GAN run, the numbers `fergan gan evaluate --checkpoints --samples 500`
// gives (same seed, same order of draws), without its overall scores and copy search (which cost most of its time).
// Run from the repository root: dotnet run results/gan-ema-cpu-2026-11-28/perclass.cs -- [--seed N] [--done rows.jsonl] <run>... >> rows.jsonl
// Checkpoints step by step, each step in every run given (paired: the same noise), from the middle of the run on, then
// the first half; one JSON line per checkpoint as soon as it is scored. --seed: the generated faces' noise (2013, as
// `gan evaluate`'s default); --done: skip the (run, step) rows that file holds.
using System.Text.Json;
using Fergan.Data.Loading;
using Fergan.Torch.Classifier;
using Fergan.Torch.Gan.Evaluation;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;

var done = new HashSet<(string, int)>();
var runs = args;
var seed = 2013;
if (runs is ["--seed", var seedText, .. var afterSeed])
{
    seed = int.Parse(seedText);
    runs = afterSeed;
}
if (runs is ["--done", var doneFile, .. var rest])
{
    runs = rest;
    foreach (var line in File.Exists(doneFile) ? File.ReadLines(doneFile).Where(l => l.Trim().Length > 0) : [])
    {
        using var row = JsonDocument.Parse(line);
        done.Add((row.RootElement.GetProperty("run").GetString()!, row.RootElement.GetProperty("step").GetInt32()));
    }
}
TorchRuntime.Initialize();
var faces = DatasetLoader.Load("../shared/data/fer2013/fer2013.csv.gz", new DatasetOptions()).Faces;
using var reference = EmotionClassifier.Load("models/reference");
using var evaluator = new GanEvaluator(reference, faces, new GanEvaluationOptions
{
    SamplesPerClass = 500, OverallSamples = 500, PrecisionRecallSamples = 500, CopySamplesPerClass = 0, Seed = seed,
});
var steps = Directory.GetFiles(Path.Combine(runs[0], "generators"), "step-*.bin")
    .Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["step-".Length..])).Order().ToList();
var middle = steps.Count / 2 - 1;
foreach (var step in steps.Skip(middle).Concat(steps.Take(middle)))
{
    foreach (var run in runs)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(run));
        if (done.Contains((name, step)))
        {
            continue;
        }
        using var generator = GanGenerator.Load(run, "cpu", Path.Combine(run, "generators", $"step-{step:D6}.bin"));
        var report = evaluator.Evaluate(generator, step);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            run = name,
            step,
            seed,
            label_fidelity = report.LabelFidelity,
            per_class_fid = report.PerClass.ToDictionary(p => p.Key, p => p.Value.Fid),
            per_class_fidelity = report.PerClass.ToDictionary(p => p.Key, p => p.Value.LabelFidelity),
        }));
        Console.Out.Flush();
        Console.Error.WriteLine($"{DateTime.Now:T} {run} step {step}");
    }
}
