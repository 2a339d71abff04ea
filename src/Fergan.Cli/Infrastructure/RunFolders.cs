using Fergan.Torch.Training;

namespace Fergan.Cli.Infrastructure;

/// <summary>The run-folder rule of the training commands: continue with --resume, replace only a run with --overwrite.</summary>
internal static class RunFolders
{
    public static void Prepare(RunDirectory run, bool resume, bool overwrite, string kind)
    {
        if (resume)
        {
            run.CheckKind(); // before the data is loaded and the header compares two kinds of options
        }
        if (!run.HasContent || resume)
        {
            return;
        }
        if (!overwrite)
        {
            throw new FerganException($"--out: {run.Root} is not empty; pass --resume to continue that run or --overwrite to start again.");
        }
        if (!File.Exists(run.OptionsFile))
        {
            throw new FerganException($"--out: {run.Root} is not empty and is not a Fergan {kind} run; --overwrite only replaces runs. Choose another folder.");
        }
        Directory.Delete(run.Root, recursive: true);
    }

    /// <summary>
    /// What a resumed run's header adds: the checkpoint it continues from, and the options that differ from the run's
    /// options.json (a forgotten flag shows here; the trainer refuses the changes that would mix two recipes).
    /// Empty when not resuming, or when there is nothing to resume yet.
    /// </summary>
    public static IReadOnlyList<string> ResumeLines<TOptions>(RunDirectory run, bool resume, TOptions options, string unit)
    {
        var checkpoints = resume ? run.Checkpoints() : [];
        if (checkpoints.Count == 0)
        {
            return resume && run.HasContent ? [$"no checkpoint in {run.Root} yet: starting from {unit} 0"] : [];
        }
        var lines = new List<string> { $"resuming from {unit} {checkpoints[^1].Step:N0} ({checkpoints[^1].Folder})" };
        var changes = run.ChangedOptions(options);
        if (changes.Count > 0)
        {
            lines.Add("changed since the run began (options.json): " + string.Join("; ", changes));
        }
        return lines;
    }
}
