using Fergan.Data;
using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Training;

/// <summary>
/// One kept epoch of a classifier run as a classifier folder (classifier.json + classifier.bin) that `evaluate`,
/// `export` and `predict` load. A run's own model is the epoch with the best validation accuracy; this is for an
/// epoch selection did not keep: a fine-tune judged on what validation accuracy does not measure (robustness to
/// corruptions, say), or epochs compared with each other. The card is the run's, with the selection scores that
/// epoch logged and no test scores (those belonged to the selected epoch's weights).
/// </summary>
public static class CheckpointExport
{
    /// <summary>Writes epoch <paramref name="epoch"/> (default: the newest checkpoint) into <paramref name="outFolder"/>.</summary>
    public static ClassifierCard Export(string runFolder, int? epoch, string outFolder)
    {
        var run = new ClassifierRunDirectory(runFolder);
        var card = ClassifierCard.Read(run.Root);
        var checkpoints = run.Checkpoints();
        if (checkpoints.Count == 0)
        {
            throw new FerganException($"{run.Root} has no checkpoints (a run folder from `fergan train` keeps its last epochs under checkpoints/).");
        }
        var (step, folder) = epoch is { } wanted
            ? checkpoints.FirstOrDefault(c => c.Step == wanted)
            : checkpoints[^1];
        if (folder is null)
        {
            throw new FerganException($"{run.Root} keeps no checkpoint of epoch {epoch}; it keeps epoch(s) {string.Join(", ", checkpoints.Select(c => c.Step))}.");
        }
        var logged = run.ReadLog<ClassifierEpoch>().LastOrDefault(e => e.Epoch == step)
            ?? throw new FerganException($"{run.LogFile} has no line for epoch {step}, so its validation scores are unknown.");
        var weights = Path.Combine(folder, "model.bin");
        if (!File.Exists(weights))
        {
            throw new FerganException($"checkpoint {folder} has no model.bin.");
        }

        var exported = card with
        {
            Selection = new SelectionScores(card.Selection?.Split ?? DataSplit.PublicTest.ToString(), step, logged.ValidationAccuracy, logged.ValidationMacroF1, logged.ValidationLoss),
            WeightsPrecision = "float32",
            WeightsPath = null,
            WeightsSha256 = null,
            Evaluations = null,
        };
        Directory.CreateDirectory(outFolder);
        RunDirectory.WriteAtomically(Path.Combine(outFolder, ClassifierCard.WeightsFile), temp => File.Copy(weights, temp, overwrite: true));
        exported.Write(outFolder);
        return exported;
    }
}
