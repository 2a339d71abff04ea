using System.Text.Json;
using Fergan.Data;
using Fergan.Data.Cache;
using Fergan.Tests;

namespace Fergan.Cli.Tests;

public sealed class DataCommandsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Stats_json_prints_one_object_with_fer2013_split_and_class_names()
    {
        var result = CliRunner.Run("data", "stats", "synthetic:700", "--no-cache", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var splits = json.RootElement.GetProperty("splits");
        Assert.Equal(["Training", "PublicTest", "PrivateTest"], splits.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Emotions.Names, splits.GetProperty("Training").EnumerateObject().Select(p => p.Name));
        Assert.Equal(700, splits.EnumerateObject().Sum(s => s.Value.EnumerateObject().Sum(c => c.Value.GetInt32())));
        Assert.Equal(0, json.RootElement.GetProperty("duplicates").GetProperty("cross_split").GetProperty("PublicTest_in_Training").GetInt32());
        Assert.Equal("happy", json.RootElement.GetProperty("imbalance").GetProperty("Training").GetProperty("largest").GetString());
    }

    /// <summary>
    /// train, evaluate and the gan commands name the dataset with --data; the data commands take it as an argument.
    /// `data stats --data fer2013.csv` was refused as an unknown option, so the data commands accept both.
    /// </summary>
    [Fact]
    public void Data_commands_take_the_dataset_as_an_argument_or_as_data_but_not_two_different_ones()
    {
        var asOption = CliRunner.Run("data", "stats", "--data", "synthetic:700", "--no-cache", "--json");
        var asArgument = CliRunner.Run("data", "stats", "synthetic:700", "--no-cache", "--json");
        var both = CliRunner.Run("data", "stats", "synthetic:700", "--data", "synthetic:350", "--no-cache");

        Assert.True(asOption.ExitCode == 0, asOption.Error);
        string Splits(CliRunner.Result r) => JsonDocument.Parse(r.Out).RootElement.GetProperty("splits").GetRawText();
        Assert.Equal(Splits(asArgument), Splits(asOption));
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("synthetic:700 (argument) and synthetic:350 (--data)", both.Error + both.Out);
    }

    [Fact]
    public void Duplicates_counts_exact_and_near_copies_of_training_faces_per_split_and_draws_the_pairs()
    {
        var csv = _temp.Write("planted.csv", SmoothPictures.PlantedDuplicatesCsv());

        var result = CliRunner.Run("data", "duplicates", csv, "--no-cache", "--json", "--grid", _temp.File("pairs.png"), "--out", _temp.File("clean.fgn"));

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(0.925, json.RootElement.GetProperty("min_correlation").GetDouble());
        var splits = json.RootElement.GetProperty("splits").EnumerateArray().ToDictionary(s => s.GetProperty("split").GetString()!);
        int Count(string split, string name) => splits[split].GetProperty(name).GetInt32();
        Assert.Equal((3, 1, 2, 1, 0), (Count("public_test", "faces"), Count("public_test", "exact_in_training"), Count("public_test", "near_in_training"),
            Count("public_test", "near_only"), Count("public_test", "near_mirrored")));
        Assert.Equal((3, 0, 2, 2, 1), (Count("private_test", "faces"), Count("private_test", "exact_in_training"), Count("private_test", "near_in_training"),
            Count("private_test", "near_only"), Count("private_test", "near_mirrored")));
        var pairs = splits["private_test"].GetProperty("pairs").EnumerateArray()
            .Select(p => (p.GetProperty("row").GetInt32(), p.GetProperty("training_row").GetInt32(), p.GetProperty("mirrored").GetBoolean()))
            .OrderBy(p => p.Item1).ToArray();
        Assert.Equal([(9, 2, true), (10, 3, false)], pairs); // data rows, counted from 0 after the header
        Assert.Equal(3, splits["public_test"].GetProperty("nearest_correlation").EnumerateArray().Sum(b => b.GetProperty("faces").GetInt32()));
        using (var grid = SkiaSharp.SKBitmap.Decode(_temp.File("pairs.png")))
        {
            Assert.True(grid.Width > 10 * 96, $"the grid holds five pairs a row (width {grid.Width})");
        }

        // --out: the set without the four copies (Training and the two new pictures stay), where no copies are left.
        var clean = CliRunner.Run("data", "duplicates", _temp.File("clean.fgn"), "--json");
        Assert.True(clean.ExitCode == 0, clean.Error);
        using (var cleaned = JsonDocument.Parse(clean.Out))
        {
            Assert.All(cleaned.RootElement.GetProperty("splits").EnumerateArray(), s =>
                Assert.Equal((1, 0), (s.GetProperty("faces").GetInt32(), s.GetProperty("near_in_training").GetInt32())));
        }
        var stats = CliRunner.Run("data", "stats", _temp.File("clean.fgn"), "--json");
        Assert.Contains("dropped test faces that are exact or near copies of Training faces (2 PublicTest, 2 PrivateTest", stats.Out);

        Assert.Equal(1, CliRunner.Run("data", "duplicates", csv, "--no-cache", "--grid", _temp.File("pairs.png")).ExitCode); // no overwriting
        Assert.Equal(1, CliRunner.Run("data", "duplicates", csv, "--no-cache", "--out", _temp.File("clean.fgn")).ExitCode);
        var bad = CliRunner.Run("data", "duplicates", csv, "--no-cache", "--min-correlation", "1.5");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--min-correlation", bad.Error + bad.Out);
        var trainingOnly = _temp.Write("training-only.csv", CsvFixture.Lines(CsvFixture.Header, CsvFixture.Row(0, "Training", 1), CsvFixture.Row(1, "Training", 2)));
        var nothingToCompare = CliRunner.Run("data", "duplicates", trainingOnly, "--no-cache", "--split-mode", "source");
        Assert.Equal(1, nothingToCompare.ExitCode);
        Assert.Contains("needs a Training split and a test split", nothingToCompare.Error);
    }

    [Fact]
    public void Stats_prints_a_table_and_writes_the_plot_but_never_overwrites_it_without_overwrite()
    {
        var plot = _temp.File("dist.png");

        var first = CliRunner.Run("data", "stats", "synthetic:300", "--no-cache", "--plot", plot);
        var written = File.GetLastWriteTimeUtc(plot);
        var second = CliRunner.Run("data", "stats", "synthetic:300", "--no-cache", "--plot", plot);
        var afterSecond = File.GetLastWriteTimeUtc(plot);
        var third = CliRunner.Run("data", "stats", "synthetic:300", "--no-cache", "--plot", plot, "--overwrite");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("disgust", first.Out);
        Assert.Contains("imbalance Training: happy/disgust", first.Out);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("already exists; pass --overwrite", second.Error);
        Assert.Equal(written, afterSecond);
        Assert.Equal(0, third.ExitCode);
    }

    [Fact]
    public void A_bad_csv_is_exit_code_1_with_file_and_line_and_no_stack_trace()
    {
        var csv = _temp.Write("bad.csv", CsvFixture.Lines(CsvFixture.Header, CsvFixture.Row(0, "Training"), CsvFixture.Row(8, "Training")));

        var result = CliRunner.Run("data", "stats", csv);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{csv}, line 3: emotion '8' is not a FER2013 label", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void Skip_bad_reports_what_was_skipped()
    {
        var csv = _temp.Write("bad.csv", CsvFixture.Lines(CsvFixture.Header, CsvFixture.Row(0, "Training"), CsvFixture.Row(8, "Training")));

        var result = CliRunner.Run("data", "stats", csv, "--skip-bad", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(1, json.RootElement.GetProperty("ingest").GetProperty("skipped_records").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("total").GetInt32());
    }

    [Fact]
    public void Balance_caps_training_writes_a_loadable_file_and_protects_existing_outputs()
    {
        var output = _temp.File("capped.fgn");

        var result = CliRunner.Run("data", "balance", "synthetic:700", "--no-cache", "--strategy", "cap", "--max-per-class", "30", "--out", output, "--json");
        var again = CliRunner.Run("data", "balance", "synthetic:700", "--no-cache", "--strategy", "cap", "--max-per-class", "30", "--out", output);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(30, json.RootElement.GetProperty("after").GetProperty("happy").GetInt32());
        Assert.Equal(json.RootElement.GetProperty("before").GetProperty("disgust").GetInt32(),
                     json.RootElement.GetProperty("after").GetProperty("disgust").GetInt32());
        var faces = FaceSetFile.Read(output);
        var counts = faces.CountsBySplitAndClass();
        Assert.All(Emotions.All, e => Assert.True(counts[(int)DataSplit.Training, (int)e] <= 30));
        Assert.Contains("cap Training at 30 faces per class, seed 2013", faces.Provenance.Operations);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error);
        // Its stats name the file first, then the origin its provenance keeps.
        Assert.StartsWith($"{output}, from synthetic", CliRunner.Run("data", "stats", output).Out.ReplaceLineEndings(" "));
    }

    [Fact]
    public void Balance_without_out_or_cap_explains_what_is_missing()
    {
        Assert.Contains("--out is required", CliRunner.Run("data", "balance", "synthetic:70", "--no-cache", "--max-per-class", "3").Error);
        Assert.Contains("--max-per-class", CliRunner.Run("data", "balance", "synthetic:70", "--no-cache", "--out", _temp.File("x.fgn")).Error);
    }

    [Fact]
    public void Export_round_trips_through_csv_gz()
    {
        var output = _temp.File("faces.csv.gz");

        Assert.Equal(0, CliRunner.Run("data", "export", "synthetic:70:4", "--no-cache", "--out", output).ExitCode);
        var result = CliRunner.Run("data", "stats", output, "--json");

        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(70, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal("fer2013-csv", json.RootElement.GetProperty("format").GetString());
    }

    [Fact]
    public void Preview_writes_a_grid_png()
    {
        var output = _temp.File("grid.png");

        Assert.Equal(0, CliRunner.Run("data", "preview", "synthetic:140", "--no-cache", "--out", output, "--per-class", "4").ExitCode);
        using var image = SkiaSharp.SKBitmap.Decode(output);
        Assert.Equal(7 * (96 + 2), image.Height);
    }

    [Theory]
    [InlineData("data", "stats", "synthetic:70", "--no-cache", "--bogus", "3")]
    [InlineData("train", "--data", "synthetic:70", "--no-cache", "--epoch", "30")]   // --epochs misspelt
    [InlineData("serve", "--prot", "8080")]                                          // --port misspelt
    public void An_unknown_option_is_an_error_not_ignored(params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Unknown option", result.Error + result.Out);
    }

    /// <summary>
    /// Walks the command tree from the root's help, so a command added later is covered too. Spectre renders option
    /// descriptions as markup: a description with an unescaped bracket ("[-tta]", a JSON example) made `evaluate
    /// --help` and `predict --help` fail with "malformed markup" while the commands themselves worked.
    /// </summary>
    [Fact]
    public void Every_command_has_help()
    {
        var pending = new Queue<string[]>([[]]);
        var seen = new List<string>();
        while (pending.TryDequeue(out var command))
        {
            var result = CliRunner.Run([.. command, "--help"]);
            var name = command.Length == 0 ? "fergan" : "fergan " + string.Join(' ', command);

            Assert.True(result.ExitCode == 0, $"{name} --help exited {result.ExitCode}: {result.Out}{result.Error}");
            Assert.Contains("USAGE", result.Out);
            seen.Add(name);
            foreach (var sub in SubcommandNames(result.Out))
            {
                pending.Enqueue([.. command, sub]);
            }
        }

        // The tree as it is today, so a broken listing cannot pass by listing nothing.
        Assert.Contains("fergan evaluate", seen);
        Assert.Contains("fergan predict", seen);
        Assert.Contains("fergan data duplicates", seen);
        Assert.Contains("fergan gan sample", seen);
        Assert.True(seen.Count >= 25, $"only {seen.Count} commands found: {string.Join(", ", seen)}");
    }

    /// <summary>The names under COMMANDS: in a help text (lines indented by exactly four spaces).</summary>
    private static IEnumerable<string> SubcommandNames(string help)
    {
        var inCommands = false;
        foreach (var line in help.Split('\n'))
        {
            if (line.TrimEnd() == "COMMANDS:")
            {
                inCommands = true;
            }
            else if (inCommands && line.StartsWith("    ", StringComparison.Ordinal) && line.Length > 4 && line[4] != ' ')
            {
                yield return line[4..].Split(' ', 2)[0];
            }
        }
    }

    [Fact]
    public void The_real_fer2013_stats_match_the_official_counts()
    {
        Assert.SkipWhen(SharedData.Fer2013 is null, SharedData.SkipReason);

        var result = CliRunner.Run("data", "stats", SharedData.Fer2013!, "--json");

        using var json = JsonDocument.Parse(result.Out);
        var training = json.RootElement.GetProperty("splits").GetProperty("Training");
        Assert.Equal(3995, training.GetProperty("angry").GetInt32());
        Assert.Equal(436, training.GetProperty("disgust").GetInt32());
        Assert.Equal(7215, training.GetProperty("happy").GetInt32());
        Assert.Equal(879, json.RootElement.GetProperty("splits").GetProperty("PrivateTest").GetProperty("happy").GetInt32());
        Assert.Equal(280, json.RootElement.GetProperty("duplicates").GetProperty("cross_split").GetProperty("PublicTest_in_Training").GetInt32());
    }

    [Fact]
    public void Preview_of_a_split_the_dataset_lacks_says_which_splits_it_has_instead_of_an_empty_grid()
    {
        var folder = _temp.File("faces");
        Assert.Equal(0, CliRunner.Run("data", "export", "synthetic:70:1", "--out", folder).ExitCode);
        Directory.Delete(Path.Combine(folder, "train"), recursive: true);
        Directory.Delete(Path.Combine(folder, "val"), recursive: true);

        var missing = CliRunner.Run("data", "preview", folder, "--no-cache", "--out", _temp.File("training.png"));
        var present = CliRunner.Run("data", "preview", folder, "--no-cache", "--split", "PrivateTest", "--out", _temp.File("test.png"));
        var oldName = CliRunner.Run("data", "preview", folder, "--no-cache", "--target-split", "PrivateTest", "--out", _temp.File("old-name.png"));

        Assert.Equal(FerganApp.UserError, missing.ExitCode);
        Assert.Contains("has no real Training faces to show (it has PrivateTest", missing.Error + missing.Out);
        Assert.Contains("choose one with --split", System.Text.RegularExpressions.Regex.Replace(missing.Error + missing.Out, @"\s+", " "));
        Assert.False(File.Exists(_temp.File("training.png")));
        Assert.Equal(0, present.ExitCode);
        Assert.True(File.Exists(_temp.File("test.png")));
        Assert.Equal(0, oldName.ExitCode); // --split is evaluate's name for it; the old --target-split still works
    }

    [Fact]
    public void The_dataset_options_a_suggested_next_command_repeats_are_those_that_change_the_faces()
    {
        var defaults = new Fergan.Cli.Commands.DatasetSettings();
        var changed = new Fergan.Cli.Commands.DatasetSettings
        {
            FerPlus = "votes.csv",
            FerPlusMode = Fergan.Data.FerPlus.FerPlusMode.Probability,
            Split = Fergan.Data.Loading.SplitMode.Stratified,
            SplitSeed = 7,
            FindFaces = new Spectre.Console.Cli.FlagValue<string> { IsSet = true, Value = "near" },
        };

        Assert.Equal("", defaults.RepeatedArguments());
        Assert.Equal(" --ferplus votes.csv --ferplus-mode probability --split-mode stratified --split-seed 7 --find-faces near", changed.RepeatedArguments());
    }
}

