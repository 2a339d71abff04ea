using Fergan.Torch.Training;

namespace Fergan.Cli.Infrastructure;

/// <summary>The run-folder rule of the training commands: continue with --resume, replace only a run with --overwrite.</summary>
internal static class RunFolders
{
    public static void Prepare(RunDirectory run, bool resume, bool overwrite, string kind)
    {
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
}
