using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fergan.Data;

namespace Fergan.Torch.Training;

/// <summary>
/// The files every training run has (options.json, log.jsonl, checkpoints/step-NNNNNN/) and the rules for writing
/// them safely. A checkpoint is written into a temporary folder and renamed into place, so a kill leaves either the old set
/// or the new one, never a half-written checkpoint; older ones are pruned only after the new one exists.
/// </summary>
public class RunDirectory(string root)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A diverged run logs NaN or infinite losses; the log must still be written (and show it).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The same settings on one line, for log.jsonl.</summary>
    public static readonly JsonSerializerOptions JsonLine = new(Json) { WriteIndented = false };

    protected const string CheckpointPrefix = "step-";

    public string Root { get; } = Path.GetFullPath(root);
    public string OptionsFile => Path.Combine(Root, "options.json");
    public string LogFile => Path.Combine(Root, "log.jsonl");
    public string CheckpointsFolder => Path.Combine(Root, "checkpoints");
    public string CurvesFile => Path.Combine(Root, "curves.png");
    public string DataFile => Path.Combine(Root, "data.json");

    /// <summary>
    /// Refuses a folder that holds the other kind of run (a GAN's folder given to the classifier trainer or back),
    /// which would otherwise fail on its data or options with a message about neither. Called before resuming.
    /// </summary>
    public virtual void CheckKind()
    {
    }

    /// <summary>True when the folder holds anything (a run, or unrelated files we must not clobber).</summary>
    public bool HasContent => Directory.Exists(Root) && Directory.EnumerateFileSystemEntries(Root).Any();

    /// <summary>Completed checkpoints, oldest first (temporary folders of an interrupted write are ignored).</summary>
    public IReadOnlyList<(int Step, string Folder)> Checkpoints()
    {
        if (!Directory.Exists(CheckpointsFolder))
        {
            return [];
        }
        return Directory.GetDirectories(CheckpointsFolder, CheckpointPrefix + "*")
            .Select(d => (Ok: int.TryParse(Path.GetFileName(d)[CheckpointPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var s), Step: s, Folder: d))
            .Where(c => c.Ok)
            .OrderBy(c => c.Step)
            .Select(c => (c.Step, c.Folder))
            .ToList();
    }

    /// <summary>Writes a checkpoint atomically: <paramref name="write"/> fills a temporary folder, which is then renamed.</summary>
    public string WriteCheckpoint(int step, Action<string> write, int keep)
    {
        Directory.CreateDirectory(CheckpointsFolder);
        var final = Path.Combine(CheckpointsFolder, $"{CheckpointPrefix}{step:D6}");
        var temp = Path.Combine(CheckpointsFolder, $".tmp-{step:D6}-{Environment.ProcessId}");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }
        Directory.CreateDirectory(temp);
        write(temp);
        if (Directory.Exists(final))
        {
            Directory.Delete(final, recursive: true); // the same step written again after a resume
        }
        Directory.Move(temp, final);
        foreach (var (_, old) in Checkpoints().SkipLast(keep))
        {
            Directory.Delete(old, recursive: true);
        }
        return final;
    }

    /// <summary>Leftovers of interrupted writes (a kill during a checkpoint), removed on resume.</summary>
    public void RemoveTemporaryFolders()
    {
        if (Directory.Exists(CheckpointsFolder))
        {
            foreach (var temp in Directory.GetDirectories(CheckpointsFolder, ".tmp-*"))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Saves the resolved options (options.json) and appends the command line to commands.txt.</summary>
    public void WriteOptions<TOptions>(TOptions options, string? command)
    {
        Directory.CreateDirectory(Root);
        var document = JsonSerializer.Serialize(options, Json);
        WriteAtomically(OptionsFile, temp => File.WriteAllText(temp, document));
        if (command is not null)
        {
            File.AppendAllText(Path.Combine(Root, "commands.txt"), $"{DateTimeOffset.UtcNow:O} {command}\n");
        }
    }

    /// <summary>Saves what the run learns from (data.json).</summary>
    public void WriteData(RunData data)
    {
        Directory.CreateDirectory(Root);
        var document = JsonSerializer.Serialize(data, Json);
        WriteAtomically(DataFile, temp => File.WriteAllText(temp, document));
    }

    /// <summary>What an earlier run in this folder learnt from (data.json), or null when there is none.</summary>
    public RunData? ReadData()
    {
        if (!File.Exists(DataFile))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<RunData>(File.ReadAllText(DataFile), Json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new FerganException($"{DataFile} is damaged ({e.Message}); delete it to resume without checking the data (give --data then), or restore it.");
        }
    }

    /// <summary>
    /// Refuses to resume on other faces than the run learnt from. A run from before data.json existed has nothing to
    /// compare with and passes (the resume then records its data).
    /// </summary>
    public void CheckSameData(RunData data)
    {
        var saved = ReadData();
        if (saved is not null && !saved.SameFacesAs(data))
        {
            throw new FerganException($"{Root} holds a run trained on {saved}; the data given now is {data}. " +
                                      $"Resume it with the data it was trained on (--data {saved.Source}, with the same label and split options{(saved.Format == Fergan.Data.ImageFolders.ImageFolderDataset.PhotoFormat ? " and --find-faces, since its faces were found in photos" : "")}), or start a new --out folder.");
        }
    }

    /// <summary>The options.json of an earlier run in this folder, or null when there is none.</summary>
    public TOptions? ReadOptions<TOptions>() where TOptions : class =>
        File.Exists(OptionsFile) ? JsonSerializer.Deserialize<TOptions>(File.ReadAllText(OptionsFile), Json) : null;

    /// <summary>
    /// The options that differ between the earlier run's options.json and <paramref name="now"/>, as "name old -> new"
    /// under options.json's own names (empty when there is no earlier run), leaving out the names in
    /// <paramref name="ignore"/> and options that the earlier run's file does not have (it predates them, and their
    /// default is what it ran with). A resume shows them, so a flag forgotten on the command line is seen, not
    /// silently changed.
    /// </summary>
    public IReadOnlyList<string> ChangedOptions<TOptions>(TOptions now, params string[] ignore)
    {
        if (!File.Exists(OptionsFile))
        {
            return [];
        }
        var saved = JsonNode.Parse(File.ReadAllText(OptionsFile))?.AsObject();
        var current = JsonSerializer.SerializeToNode(now, Json)?.AsObject();
        if (saved is null || current is null)
        {
            return [];
        }
        return current
            .Where(p => saved.ContainsKey(p.Key) && !ignore.Contains(p.Key) && !JsonNode.DeepEquals(p.Value, saved[p.Key]))
            .Select(p => $"{p.Key} {Compact(saved[p.Key])} -> {Compact(p.Value)}")
            .ToList();

        static string Compact(JsonNode? value) => value?.ToJsonString(JsonLine) ?? "(none)";
    }

    /// <summary>A checkpoint's state.json; a damaged one is an error that says how to recover.</summary>
    public static TState ReadState<TState>(string checkpointFolder) where TState : class
    {
        var path = Path.Combine(checkpointFolder, "state.json");
        try
        {
            return JsonSerializer.Deserialize<TState>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new FerganException($"checkpoint {checkpointFolder} is damaged ({path}: {e.Message}). Delete that folder to resume from the one before it.");
        }
    }

    /// <summary>The log's entries in order (none without a log); blank lines are skipped.</summary>
    public IReadOnlyList<TEntry> ReadLog<TEntry>() where TEntry : class =>
        File.Exists(LogFile)
            ? File.ReadLines(LogFile).Where(line => line.Length > 0).Select(line => JsonSerializer.Deserialize<TEntry>(line, Json)).OfType<TEntry>().ToList()
            : [];

    /// <summary>Drops log lines past the checkpoint being resumed (their weights were lost), so the log matches the weights.</summary>
    public void TruncateLog<TEntry>(Func<TEntry, int> position, int keepUpTo)
    {
        if (!File.Exists(LogFile))
        {
            return;
        }
        var kept = File.ReadLines(LogFile)
            .Where(line => JsonSerializer.Deserialize<TEntry>(line, Json) is { } entry && position(entry) <= keepUpTo)
            .ToList();
        WriteAtomically(LogFile, temp => File.WriteAllLines(temp, kept));
    }

    /// <summary>Writes a file through a temporary name and a rename.</summary>
    public static void WriteAtomically(string path, Action<string> write)
    {
        var temp = path + $".{Environment.ProcessId}.tmp";
        write(temp);
        File.Move(temp, path, overwrite: true);
    }
}
