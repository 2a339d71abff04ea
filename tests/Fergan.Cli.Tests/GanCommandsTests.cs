using System.Text.Json;
using Fergan.Data;
using Fergan.Data.Cache;
using Fergan.Tests;

namespace Fergan.Cli.Tests;

/// <summary>gan train, gan sample and data synthesize end to end, on a tiny generator trained in the test.</summary>
[Collection("Torch")]
public sealed class GanCommandsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TrainTiny()
    {
        var run = _temp.File("run");
        var result = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", run,
            "--steps", "2", "--width", "4", "--batch-size", "8", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        return run;
    }

    [Fact]
    public void Train_then_sample_a_grid_and_files_then_synthesize_a_balanced_set()
    {
        var run = TrainTiny();

        var grid = CliRunner.Run("gan", "sample", "--model", run, "--class", "disgust", "--count", "12", "--out", _temp.File("disgust.png"));
        var files = CliRunner.Run("gan", "sample", "--model", run, "--class", "5", "--count", "3", "--out", _temp.File("faces"));
        var synth = CliRunner.Run("data", "synthesize", "--gan", run, "--data", "synthetic:700", "--no-cache", "--target", "balance",
            "--out", _temp.File("balanced.fgn"), "--json");

        Assert.True(grid.ExitCode == 0, grid.Error);
        using (var image = SkiaSharp.SKBitmap.Decode(_temp.File("disgust.png")))
        {
            Assert.Equal(2 * (96 + 2), image.Height); // 12 faces in rows of 10
        }
        Assert.True(files.ExitCode == 0, files.Error);
        Assert.Equal(3, Directory.GetFiles(_temp.File("faces"), "surprise-*.png").Length);
        Assert.True(synth.ExitCode == 0, synth.Error);
        using var json = JsonDocument.Parse(synth.Out);
        var after = json.RootElement.GetProperty("after");
        Assert.All(Emotions.Names, name => Assert.Equal(after.GetProperty("happy").GetInt32(), after.GetProperty(name).GetInt32()));
        var faces = FaceSetFile.Read(_temp.File("balanced.fgn"));
        var synthetic = Enumerable.Range(0, faces.Count).Where(faces.IsSynthetic).ToList();
        Assert.Equal(json.RootElement.GetProperty("added").EnumerateObject().Sum(p => p.Value.GetInt32()), synthetic.Count);
        Assert.All(synthetic, i => Assert.Equal(DataSplit.Training, faces.Split(i)));
        Assert.Contains(faces.Provenance.Operations, o => o.StartsWith("GAN synthesis"));

        // data stats on the result: the generated faces per class (what synthesize added), and the real faces' imbalance.
        var stats = CliRunner.Run("data", "stats", _temp.File("balanced.fgn"), "--json");
        using var statsJson = JsonDocument.Parse(stats.Out);
        var generated = statsJson.RootElement.GetProperty("synthetic").GetProperty("Training");
        Assert.All(json.RootElement.GetProperty("added").EnumerateObject(), p => Assert.Equal(p.Value.GetInt32(), generated.GetProperty(p.Name).GetInt32()));
        Assert.Contains("generated (marked synthetic) in Training", CliRunner.Run("data", "stats", _temp.File("balanced.fgn")).Out);
        using var real = JsonDocument.Parse(CliRunner.Run("data", "stats", "synthetic:700", "--no-cache", "--json").Out);
        Assert.Empty(real.RootElement.GetProperty("synthetic").EnumerateObject());

        // data preview shows the real faces, or with --generated the generated ones (which come after them).
        var realGrid = CliRunner.Run("data", "preview", _temp.File("balanced.fgn"), "--out", _temp.File("real.png"), "--per-class", "2");
        var generatedGrid = CliRunner.Run("data", "preview", _temp.File("balanced.fgn"), "--out", _temp.File("generated.png"), "--per-class", "2", "--generated");
        var none = CliRunner.Run("data", "preview", "synthetic:700", "--no-cache", "--out", _temp.File("none.png"), "--generated");
        Assert.True(realGrid.ExitCode == 0 && generatedGrid.ExitCode == 0, realGrid.Error + generatedGrid.Error);
        Assert.False(File.ReadAllBytes(_temp.File("real.png")).SequenceEqual(File.ReadAllBytes(_temp.File("generated.png"))));
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("has no generated faces", none.Error);
    }

    [Fact]
    public void Train_takes_augmentation_and_learning_rate_overrides_and_rejects_an_unknown_policy()
    {
        var run = _temp.File("run");
        var ok = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", run, "--steps", "1",
            "--width", "4", "--batch-size", "8", "--augment", "color,cutout", "--d-steps", "3", "--lr-d", "0.001", "--json");
        var bad = CliRunner.Run("gan", "train", "--out", _temp.File("other"), "--augment", "colour,blur");

        Assert.True(ok.ExitCode == 0, ok.Error);
        using var options = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "options.json")));
        Assert.Equal("color, cutout", options.RootElement.GetProperty("augment").GetString());
        Assert.Equal(3, options.RootElement.GetProperty("discriminator_steps").GetInt32());
        Assert.Equal(0.001, options.RootElement.GetProperty("discriminator_learning_rate").GetDouble());
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--augment", bad.Error + bad.Out);
    }

    [Fact]
    public void A_classifier_folder_given_for_a_generator_and_back_is_named_as_such()
    {
        var classifier = Directory.CreateDirectory(_temp.File("a-classifier")).FullName;
        File.WriteAllText(Path.Combine(classifier, "classifier.json"), "{}");
        var generator = Directory.CreateDirectory(_temp.File("a-generator")).FullName;
        File.WriteAllText(Path.Combine(generator, "generator.json"), "{}");

        var sample = CliRunner.Run("gan", "sample", "--model", classifier, "--class", "happy", "--out", _temp.File("x.png"));
        var evaluate = CliRunner.Run("evaluate", "--model", generator, "--data", "synthetic:70", "--no-cache");

        Assert.Equal(1, sample.ExitCode);
        Assert.Contains("it holds a classifier, not a generator", sample.Error);
        Assert.Equal(1, evaluate.ExitCode);
        Assert.Contains("it holds a generator", evaluate.Error);
    }

    [Fact]
    public void Train_refuses_a_non_empty_out_without_resume_or_overwrite()
    {
        var run = TrainTiny();

        var again = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", run, "--steps", "2", "--width", "4", "--batch-size", "8");
        var resumed = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", run, "--steps", "4", "--width", "4", "--batch-size", "8", "--resume", "--json");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("pass --resume", again.Error);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        using var json = JsonDocument.Parse(resumed.Out);
        Assert.Equal(2, json.RootElement.GetProperty("resumed_from").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("step").GetInt32());
    }

    /// <summary>
    /// A resume that leaves out --data continues on the run's own data (not on the bundled default, which it would
    /// refuse as other faces), says where it resumes, and shows the options that differ from the run's.
    /// </summary>
    [Fact]
    public void Resume_without_data_uses_the_runs_data_and_shows_what_changed()
    {
        var run = TrainTiny();

        var resumed = CliRunner.Run("gan", "train", "--out", run, "--no-cache", "--steps", "4", "--width", "4", "--batch-size", "8", "--lr-g", "0.0001", "--resume");
        var otherData = CliRunner.Run("gan", "train", "--data", "synthetic:140:2:balanced", "--no-cache", "--out", run, "--steps", "6", "--width", "4",
            "--batch-size", "8", "--resume");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("on synthetic:140:1:balanced", resumed.Error);
        Assert.Contains("resuming from step 2 (", resumed.Error);
        Assert.Contains("changed since the run began (options.json): steps 2 -> 4; generator_learning_rate 0.0002 -> 0.0001", resumed.Error);
        Assert.Contains("finished at step 4/4 (resumed from 2)", resumed.Out);
        Assert.Contains($"next: fergan gan sample --model {run} --class disgust", System.Text.RegularExpressions.Regex.Replace(resumed.Out, @"\s+", " "));
        Assert.Equal(1, otherData.ExitCode);
        Assert.Contains("holds a run trained on synthetic:140:1:balanced", otherData.Error);

        // A run from before data.json cannot say what it learnt from: its resume needs --data.
        File.Delete(Path.Combine(run, "data.json"));
        var old = CliRunner.Run("gan", "train", "--out", run, "--no-cache", "--steps", "6", "--width", "4", "--batch-size", "8", "--resume");
        Assert.Equal(1, old.ExitCode);
        Assert.Contains("does not record the data it was trained on", old.Error);
    }

    /// <summary>A run started on a relative path resumes without --data from another folder: data.json keeps the full path.</summary>
    [Fact]
    public void Resume_without_data_finds_a_relative_source_from_another_folder()
    {
        var dataFolder = Directory.CreateDirectory(_temp.File("data")).FullName;
        var rows = Enumerable.Range(0, 28).Select(i => CsvFixture.Row(i % 7, i < 21 ? "Training" : "PublicTest", seed: i));
        File.WriteAllText(Path.Combine(dataFolder, "faces.csv"), CsvFixture.Lines([CsvFixture.Header, .. rows]));
        var tiny = new[] { "--steps", "2", "--width", "4", "--batch-size", "8", "--no-cache" };

        var started = CliRunner.RunProcessIn(dataFolder, ["gan", "train", "--data", "faces.csv", "--out", Path.Combine("..", "run"), .. tiny]);
        var resumed = CliRunner.RunProcessIn(_temp.Path, ["gan", "train", "--out", "run", "--resume", .. tiny[2..], "--steps", "4"]);

        Assert.True(started.ExitCode == 0, started.Error);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"on {Path.Combine(dataFolder, "faces.csv")}", System.Text.RegularExpressions.Regex.Replace(resumed.Error, @"\s+", " "));
        Assert.Contains("resuming from step 2", resumed.Error);
    }

    [Fact]
    public void The_bundled_generator_samples_on_a_fresh_clone()
    {
        Assert.SkipWhen(SharedData.RepositoryRoot is null || !File.Exists(Path.Combine(SharedData.RepositoryRoot, "models", "gan", "generator.json")),
            "this checkout has no bundled generator (models/gan)");

        var result = CliRunner.Run("gan", "sample", "--class", "disgust", "--count", "4", "--out", _temp.File("bundled.png"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("models", result.Out);
        Assert.True(File.Exists(_temp.File("bundled.png")));
    }

    [Fact]
    public void A_seed_gives_the_same_faces_in_gan_sample_and_in_the_onnx_generator_the_web_app_runs()
    {
        var bundled = Fergan.Torch.Gan.Sampling.GanGenerator.BundledFolder;
        Assert.SkipWhen(!File.Exists(Path.Combine(bundled, Fergan.Vision.Generation.OnnxFaceGenerator.ModelFile)),
            "this build has no bundled generator with its ONNX export (models/gan)");
        var folder = _temp.File("sampled");

        var result = CliRunner.Run("gan", "sample", "--class", "fear", "--count", "3", "--seed", "41", "--truncation", "1.5", "--out", folder);

        Assert.True(result.ExitCode == 0, result.Error);
        using var onnx = new Fergan.Vision.Generation.OnnxFaceGenerator(bundled);
        var expected = onnx.Sample(Emotion.Fear, 3, seed: 41, truncation: 1.5);
        var other = onnx.Sample(Emotion.Fear, 1, seed: 42, truncation: 1.5)[0];
        for (var i = 0; i < 3; i++)
        {
            var decoded = Fergan.Data.Imaging.GrayFaceDecoder.TryDecode(File.ReadAllBytes(Path.Combine(folder, $"fear-{i:D4}.png")), out var problem);
            Assert.True(decoded is { Conversions.Count: 0 }, problem ?? "the sampled face is a 48x48 gray PNG");
            var sampled = decoded.Value.Pixels;
            var differences = sampled.Zip(expected[i], (a, b) => Math.Abs(a - b)).ToArray();
            // The runtimes' float arithmetic differs in the last bits, which can move a pixel across a rounding step.
            Assert.True(differences.Max() <= 2, $"face {i}: pixels differ by up to {differences.Max()}");
            Assert.True(differences.Average() < 0.05, $"face {i}: pixels differ by {differences.Average():F3} on average");
        }
        var unrelated = expected[0].Zip(other, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(unrelated > 5, $"another seed draws another face (mean difference {unrelated:F1})");
    }

    [Fact]
    public void Train_refuses_the_reference_network_as_guide_even_under_another_name()
    {
        var reference = Fergan.Torch.Classifier.EmotionClassifier.ReferenceFolder;
        Assert.SkipWhen(!File.Exists(Path.Combine(reference, "classifier.json")), "this build has no bundled reference network (models/reference)");
        var copy = _temp.File("renamed-reference");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(reference))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var result = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", _temp.File("run"), "--steps", "1",
            "--width", "4", "--batch-size", "8", "--guide", copy);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has the weights of the reference network", result.Error);
        Assert.False(Directory.Exists(Path.Combine(_temp.File("run"), "checkpoints")));
    }

    [Theory]
    [InlineData("--class", "contempt", "'contempt' is not an emotion")]
    [InlineData("--count", "0", "--count must be at least 1")]
    [InlineData("--count", "-3", "--count must be at least 1")]
    public void Sample_rejects_bad_arguments(string option, string value, string expected)
    {
        var args = new List<string> { "gan", "sample", "--model", _temp.File("missing-model"), "--class", "happy", "--out", _temp.File("x.png") };
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var result = CliRunner.Run([.. args]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Theory]
    [InlineData("--lr-decay-start", "1.5", "--lr-decay-start must be a fraction from 0 to 1 (got 1.5)")]
    [InlineData("--ema-decay", "1", "--ema-decay must be in [0, 1) (got 1)")]
    [InlineData("--ema-rampup", "0", "--ema-rampup must be a positive fraction (got 0)")]
    public void Train_rejects_a_schedule_outside_its_range_before_making_the_run_folder(string option, string value, string expected)
    {
        var result = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", _temp.File("run"),
            "--steps", "2", "--width", "4", option, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.False(Directory.Exists(_temp.File("run")));
    }

    [Fact]
    public void Train_records_the_ema_schedule_it_was_given()
    {
        var result = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", _temp.File("run"),
            "--steps", "1", "--width", "4", "--batch-size", "8", "--ema-decay", "0.99", "--ema-rampup", "0.5");

        Assert.Equal(0, result.ExitCode);
        var options = File.ReadAllText(Path.Combine(_temp.File("run"), "options.json"));
        Assert.Contains("\"ema_decay\": 0.99", options);
        Assert.Contains("\"ema_rampup\": 0.5", options);
    }

    [Fact]
    public void Sample_refuses_to_overwrite_and_explains_a_missing_model()
    {
        var existing = _temp.Write("taken.png", "x");

        var taken = CliRunner.Run("gan", "sample", "--model", _temp.File("nope"), "--class", "happy", "--out", existing);
        var missing = CliRunner.Run("gan", "sample", "--model", _temp.File("nope"), "--class", "happy", "--out", _temp.File("new.png"));

        Assert.Contains("already exists; pass --overwrite", taken.Error);
        Assert.Equal("x", File.ReadAllText(existing));
        Assert.Contains("generator.json is missing", missing.Error);
    }
}
