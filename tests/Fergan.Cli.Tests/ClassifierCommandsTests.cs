using System.Globalization;
using System.Text.Json;
using Fergan.Data;
using Fergan.Tests;

namespace Fergan.Cli.Tests;

/// <summary>train, evaluate (with --record), export half, experiment and gan evaluate end to end, on tiny models.</summary>
[Collection("Torch")]
public sealed class ClassifierCommandsTests : IDisposable
{
    private const string Data = "synthetic:700:3:balanced";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TrainTiny(string name = "run", params string[] extra) => TrainTinyFor(1, name, extra);

    /// <summary>A width-4 vgg trained for <paramref name="epochs"/> epochs into a new run folder.</summary>
    private string TrainTinyFor(int epochs, string name = "run", params string[] extra)
    {
        var run = _temp.File(name);
        var result = CliRunner.Run(["train", "--data", Data, "--no-cache", "--out", run, "--epochs", $"{epochs}", "--width", "4", "--batch-size", "16", "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.Error);
        return run;
    }

    [Fact]
    public void Train_then_evaluate_prints_the_documented_json_and_records_it_in_the_card()
    {
        var run = TrainTiny();

        var evaluated = CliRunner.Run("evaluate", "--model", run, "--data", Data, "--no-cache", "--split", "PrivateTest", "--json", "--record",
            "--report", _temp.File("report"));

        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        using var json = JsonDocument.Parse(evaluated.Out);
        var root = json.RootElement;
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("macro_f1").GetDouble(), 0, 1);
        foreach (var name in Emotions.Names)
        {
            var c = root.GetProperty("per_class").GetProperty(name);
            Assert.InRange(c.GetProperty("f1").GetDouble(), 0, 1);
            Assert.InRange(c.GetProperty("precision").GetDouble(), 0, 1);
            Assert.InRange(c.GetProperty("recall").GetDouble(), 0, 1);
        }
        var faces = root.GetProperty("faces").GetInt32();
        Assert.Equal(faces, root.GetProperty("confusion_matrix").EnumerateArray().Sum(row => row.EnumerateArray().Sum(v => v.GetInt32())));
        // Calibration over the same faces: the reliability bins hold every face, and their gaps give the ECE.
        var calibration = root.GetProperty("calibration");
        var bins = calibration.GetProperty("bins").EnumerateArray().ToList();
        Assert.Equal(faces, bins.Sum(b => b.GetProperty("count").GetInt32()));
        Assert.Equal(bins.Sum(b => b.GetProperty("count").GetInt32() * Math.Abs(b.GetProperty("accuracy").GetDouble() - b.GetProperty("mean_confidence").GetDouble())) / faces,
            calibration.GetProperty("expected_calibration_error").GetDouble(), 9);
        Assert.True(calibration.GetProperty("log_loss").GetDouble() > 0);
        using var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "classifier.json")));
        var recorded = card.RootElement.GetProperty("evaluations").GetProperty("PrivateTest");
        Assert.Equal(root.GetProperty("accuracy").GetDouble(), recorded.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(calibration.GetProperty("expected_calibration_error").GetDouble(), recorded.GetProperty("ece").GetDouble(), 12);
        Assert.Contains("--record", recorded.GetProperty("command").GetString());
        var html = File.ReadAllText(_temp.File("report/report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("macro-F1", html);
        Assert.Contains("| disgust |", File.ReadAllText(_temp.File("report/report.md")));
        Assert.Contains("| confidence | faces | mean confidence | accuracy |", File.ReadAllText(_temp.File("report/report.md")));
        using var confusion = SkiaSharp.SKBitmap.Decode(_temp.File("report/confusion.png"));
        Assert.True(confusion.Width > 7 * 64);
        Assert.True(File.Exists(_temp.File("report/misclassified.png")));

        var again = CliRunner.Run("evaluate", "--model", run, "--data", Data, "--no-cache", "--report", _temp.File("report"));
        Assert.Equal(1, again.ExitCode); // an existing report is not overwritten without --overwrite
    }

    [Fact]
    public void A_resnet_trained_with_the_fast_step_exports_to_onnx_and_scores_the_same_there()
    {
        var run = TrainTiny("resnet", "--arch", "resnet", "--precision", "bf16", "--channels-last");
        using (var options = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "options.json"))))
        {
            var root = options.RootElement;
            Assert.Equal(("resnet", "bf16", true), (root.GetProperty("architecture").GetProperty("kind").GetString(),
                root.GetProperty("precision").GetString(), root.GetProperty("channels_last").GetBoolean()));
        }

        var exported = CliRunner.Run("export", "onnx", "--model", run, "--out", Path.Combine(run, "classifier.onnx"));
        var torch = CliRunner.Run("evaluate", "--model", run, "--data", Data, "--no-cache", "--split", "PrivateTest", "--json");
        var onnx = CliRunner.Run("evaluate", "--model", run, "--data", Data, "--no-cache", "--split", "PrivateTest", "--json", "--runtime", "onnx");

        Assert.True(exported.ExitCode == 0, exported.Error);
        Assert.True(torch.ExitCode == 0 && onnx.ExitCode == 0, torch.Error + onnx.Error);
        using var fromTorch = JsonDocument.Parse(torch.Out);
        using var fromOnnx = JsonDocument.Parse(onnx.Out);
        // The same network on two runtimes: at most a face near a tie may flip (100 PrivateTest faces here).
        Assert.InRange(Math.Abs(fromTorch.RootElement.GetProperty("accuracy").GetDouble() - fromOnnx.RootElement.GetProperty("accuracy").GetDouble()), 0, 0.0101);
    }

    [Fact]
    public void Evaluate_leaves_out_exact_or_also_near_training_duplicates_and_records_them_apart()
    {
        var run = TrainTiny();
        var csv = _temp.Write("planted.csv", SmoothPictures.PlantedDuplicatesCsv());
        var correct = new List<double>();
        (int Faces, int Excluded, string Kind) Scored(params string[] exclude)
        {
            var result = CliRunner.Run(["evaluate", "--model", run, "--data", csv, "--no-cache", "--split", "PublicTest", "--json", "--record", .. exclude]);
            Assert.True(result.ExitCode == 0, result.Error);
            using var json = JsonDocument.Parse(result.Out);
            var root = json.RootElement;
            var (faces, excluded) = (root.GetProperty("faces").GetInt32(), root.GetProperty("excluded_duplicates").GetInt32());
            var leftOut = root.GetProperty("left_out_accuracy");
            Assert.Equal(excluded == 0, leftOut.ValueKind == JsonValueKind.Null);
            // Faces read right: the scored ones plus the left-out ones, the same count however the split is cut.
            correct.Add(root.GetProperty("accuracy").GetDouble() * faces + (excluded == 0 ? 0 : leftOut.GetDouble() * excluded));
            return (faces, excluded, root.GetProperty("duplicates_left_out").GetString()!);
        }

        Assert.Equal((3, 0, "keep"), Scored());
        Assert.Equal((2, 1, "exact"), Scored("--exclude-train-duplicates"));
        Assert.Equal((2, 1, "exact"), Scored("--exclude-train-duplicates", "exact"));
        Assert.Equal((1, 2, "near"), Scored("--exclude-train-duplicates", "near")); // the relit copy too
        Assert.All(correct, c => Assert.Equal(correct[0], c, 9));
        using (var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "classifier.json"))))
        {
            var evaluations = card.RootElement.GetProperty("evaluations");
            Assert.Equal(["PublicTest", "PublicTest-dedup", "PublicTest-near-dedup"], evaluations.EnumerateObject().Select(e => e.Name).Order());
            Assert.Equal(1, evaluations.GetProperty("PublicTest-near-dedup").GetProperty("faces").GetInt32());
        }
        // Selection can leave them out too: here one PublicTest face is left to select on.
        var selected = CliRunner.Run("train", "--data", csv, "--no-cache", "--out", _temp.File("selected"), "--epochs", "1", "--width", "4",
            "--batch-size", "4", "--select-without-copies");
        Assert.True(selected.ExitCode == 0, selected.Error);
        using (var card = JsonDocument.Parse(File.ReadAllText(_temp.File("selected/classifier.json"))))
        {
            Assert.Contains("selected on PublicTest 1, without its 2 exact or near copies of Training faces", card.RootElement.GetProperty("data").GetString());
        }
        var bad = CliRunner.Run("evaluate", "--model", run, "--data", csv, "--no-cache", "--exclude-train-duplicates", "nearly");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("not exact or near", bad.Error + bad.Out);
    }

    [Fact]
    public void Evaluate_writes_the_probabilities_behind_its_scores_and_keeps_an_existing_file()
    {
        var run = TrainTiny();
        var csv = _temp.File("public.csv");
        // The same faces as a FER2013 CSV with a malformed first row, skipped: from then on a face's index in the
        // loaded set is one less than its row in the source, and the file must give both.
        var source = _temp.File("faces.csv");
        Assert.Equal(0, CliRunner.Run("data", "export", Data, "--out", source).ExitCode);
        var sourceLines = File.ReadAllLines(source).ToList();
        sourceLines.Insert(1, "9,0 0 0,PublicTest");
        File.WriteAllLines(source, sourceLines);

        var result = CliRunner.Run("evaluate", "--model", run, "--data", source, "--skip-bad", "--no-cache", "--split", "PublicTest", "--probabilities", csv, "--json");
        var again = CliRunner.Run("evaluate", "--model", run, "--data", source, "--skip-bad", "--no-cache", "--split", "PublicTest", "--probabilities", csv);

        Assert.True(result.ExitCode == 0, result.Error);
        using var report = JsonDocument.Parse(result.Out);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("index,source_row,label," + string.Join(',', Emotions.Names), lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(report.RootElement.GetProperty("faces").GetInt32(), rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(int.Parse(r[0], CultureInfo.InvariantCulture) + 1, int.Parse(r[1], CultureInfo.InvariantCulture));
            // The source row is that face's: its label there is the file's.
            var sourceRow = sourceLines[1 + int.Parse(r[1], CultureInfo.InvariantCulture)].Split(',');
            Assert.Equal(r[2], Emotions.Names[int.Parse(sourceRow[0], CultureInfo.InvariantCulture)]);
            Assert.Equal("PublicTest", sourceRow[2]);
        });
        var probabilities = rows.Select(r => r.Skip(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.All(probabilities, p => Assert.Equal(1, p.Sum(), 4));
        // The file holds what the scores were computed from: its argmax accuracy is the report's.
        var right = rows.Zip(probabilities).Count(x => Emotions.Names[Array.IndexOf(x.Second, x.Second.Max())] == x.First[2]);
        Assert.Equal(report.RootElement.GetProperty("accuracy").GetDouble(), right / (double)rows.Count, 9);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--probabilities", again.Error + again.Out);
    }

    [Fact]
    public void Evaluate_with_corruptions_scores_every_corruption_at_five_severities()
    {
        var run = TrainTiny();

        var result = CliRunner.Run("evaluate", "--model", run, "--data", "synthetic:140:1:balanced", "--no-cache", "--corruptions", "--json",
            "--report", _temp.File("report"));

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var scores = json.RootElement.GetProperty("robustness").GetProperty("scores").EnumerateArray().ToList();
        Assert.Equal(9 * 5, scores.Count);
        Assert.Equal(9, scores.Select(s => s.GetProperty("corruption").GetString()).Distinct().Count());
        Assert.All(scores, s => Assert.InRange(s.GetProperty("accuracy").GetDouble(), 0, 1));
        Assert.Contains("| occlusion-eyes |", File.ReadAllText(_temp.File("report/report.md")));
        Assert.True(File.Exists(_temp.File("report/robustness.png")));

        // Named corruptions only, in the order given, with the same scores as in the full run (same seeds).
        var named = CliRunner.Run("evaluate", "--model", run, "--data", "synthetic:140:1:balanced", "--no-cache", "--corruptions", "jpeg,noise", "--json");
        var unknown = CliRunner.Run("evaluate", "--model", run, "--data", "synthetic:140:1:balanced", "--no-cache", "--corruptions", "sunburn");
        Assert.True(named.ExitCode == 0, named.Error);
        var some = JsonDocument.Parse(named.Out).RootElement.GetProperty("robustness").GetProperty("scores").EnumerateArray().ToList();
        Assert.Equal(["jpeg", "noise"], some.Select(s => s.GetProperty("corruption").GetString()).Distinct());
        Assert.Equal(10, some.Count);
        Assert.All(some, s => Assert.Equal(
            scores.Single(a => a.GetProperty("corruption").GetString() == s.GetProperty("corruption").GetString() && a.GetProperty("severity").GetInt32() == s.GetProperty("severity").GetInt32()).GetProperty("accuracy").GetDouble(),
            s.GetProperty("accuracy").GetDouble()));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("'sunburn' is not a corruption; use low-light, contrast, noise", unknown.Error + unknown.Out);
    }

    [Fact]
    public void Evaluate_rejects_an_unknown_split_and_a_folder_without_a_model()
    {
        var split = CliRunner.Run("evaluate", "--model", _temp.Path, "--data", Data, "--split", "Test");
        var empty = CliRunner.Run("evaluate", "--model", _temp.Path, "--data", Data, "--no-cache");
        // The bundled classifier without --model is the build output's copy: recording there would be lost.
        var recordBundled = CliRunner.Run("evaluate", "--data", Data, "--no-cache", "--record");

        Assert.Equal(1, recordBundled.ExitCode);
        Assert.Contains("name the model folder with --model", recordBundled.Error + recordBundled.Out);
        Assert.Equal(1, split.ExitCode);
        Assert.Contains("not Training, PublicTest or PrivateTest", split.Error + split.Out);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("classifier.json", empty.Error);
    }

    [Fact]
    public void Photometric_augmentation_is_recorded_in_the_run_options_and_refused_out_of_range()
    {
        var run = TrainTiny("photometric", "--photometric", "0.5");

        using var options = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "options.json")));
        Assert.Equal(0.5, options.RootElement.GetProperty("augment").GetProperty("photometric_probability").GetDouble());
        var tooLarge = CliRunner.Run("train", "--out", _temp.File("x"), "--photometric", "1.5");
        Assert.Equal(1, tooLarge.ExitCode);
        Assert.Contains("--photometric must be between 0 and 1", tooLarge.Error);
        var withoutAugment = CliRunner.Run("train", "--out", _temp.File("y"), "--photometric", "0.5", "--no-augment");
        Assert.Equal(1, withoutAugment.ExitCode);
        Assert.Contains("cannot go with --no-augment", withoutAugment.Error);
    }

    [Fact]
    public void Evaluate_scores_an_ensemble_of_several_models_and_refuses_to_record_it()
    {
        var a = TrainTiny("a");
        var b = TrainTiny("b", "--seed", "5");
        string[] Evaluate(params string[] models) => [.. "evaluate --data".Split(' '), Data, "--no-cache", "--split", "PublicTest", "--json", .. models.SelectMany(m => new[] { "--model", m })];

        var alone = CliRunner.Run(Evaluate(a));
        var twice = CliRunner.Run(Evaluate(a, a));
        var both = CliRunner.Run(Evaluate(a, b));
        var recorded = CliRunner.Run([.. Evaluate(a, b), "--record"]);

        Assert.True(both.ExitCode == 0, both.Error);
        using var aloneJson = JsonDocument.Parse(alone.Out);
        using var twiceJson = JsonDocument.Parse(twice.Out);
        using var bothJson = JsonDocument.Parse(both.Out);
        // The mean of a model with itself is that model: same predictions, same scores.
        Assert.Equal(aloneJson.RootElement.GetProperty("accuracy").GetDouble(), twiceJson.RootElement.GetProperty("accuracy").GetDouble(), 6);
        Assert.Equal($"{a} + {b}", bothJson.RootElement.GetProperty("model").GetString());
        Assert.InRange(bothJson.RootElement.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.Equal(1, recorded.ExitCode);
        Assert.Contains("ensemble", recorded.Error);
    }

    [Fact]
    public void Train_distils_from_teachers_given_by_folder_and_records_them_in_the_card()
    {
        var teacherA = TrainTiny("teacher-a");
        var teacherB = TrainTiny("teacher-b", "--seed", "8");

        var student = TrainTiny("student", "--teacher", teacherA, "--teacher", teacherB, "--distill-weight", "0.7", "--distill-temperature", "3");
        var weightAlone = CliRunner.Run("train", "--out", _temp.File("x"), "--distill-weight", "0.5");
        var badWeight = CliRunner.Run("train", "--out", _temp.File("x"), "--teacher", teacherA, "--distill-weight", "1.5");
        var missing = CliRunner.Run("train", "--data", Data, "--no-cache", "--out", _temp.File("y"), "--epochs", "1", "--width", "4", "--teacher", _temp.File("no-such-teacher"));

        var card = Fergan.Torch.Classifier.ClassifierCard.Read(student);
        Assert.Equal([Path.GetFullPath(teacherA), Path.GetFullPath(teacherB)], card.Teachers!.Select(t => t.Folder));
        Assert.Equal((0.7, 3.0), (card.Options!.DistillWeight, card.Options.DistillTemperature));
        Assert.Equal(1, weightAlone.ExitCode);
        Assert.Contains("only apply with --teacher or --teacher-probabilities", weightAlone.Error);
        Assert.Equal(1, badWeight.ExitCode);
        Assert.Contains("--distill-weight must be between 0 and 1", badWeight.Error);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no-such-teacher", missing.Error);
    }

    [Fact]
    public void Train_distils_from_the_probabilities_evaluate_saved_on_Training_and_pins_the_file_in_the_card()
    {
        var teacherA = TrainTiny("teacher-a");
        var teacherB = TrainTiny("teacher-b", "--seed", "8");
        var saved = _temp.File("teacher.csv");
        // The documented way: an ensemble with TTA, its predictions for every Training face saved once.
        var evaluate = CliRunner.Run("evaluate", "--model", teacherA, "--model", teacherB, "--tta", "--data", Data, "--no-cache", "--split", "Training", "--probabilities", saved, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);

        var student = TrainTiny("student", "--teacher-probabilities", saved, "--distill-weight", "0.8");
        var both = CliRunner.Run("train", "--out", _temp.File("x"), "--teacher", teacherA, "--teacher-probabilities", saved);
        var missing = CliRunner.Run("train", "--out", _temp.File("x"), "--teacher-probabilities", _temp.File("no-such.csv"));
        // Predictions of PublicTest faces do not cover Training: named before anything trains.
        var publicOnly = _temp.File("public.csv");
        Assert.Equal(0, CliRunner.Run("evaluate", "--model", teacherA, "--data", Data, "--no-cache", "--split", "PublicTest", "--probabilities", publicOnly).ExitCode);
        var wrongSplit = CliRunner.Run("train", "--data", Data, "--no-cache", "--out", _temp.File("y"), "--epochs", "1", "--width", "4", "--teacher-probabilities", publicOnly);

        var card = Fergan.Torch.Classifier.ClassifierCard.Read(student);
        Assert.Equal(Path.GetFullPath(saved), card.TeacherProbabilities!.File);
        Assert.Equal(File.ReadLines(saved).Count() - 1, card.TeacherProbabilities.Faces);
        Assert.Equal(0.8, card.Options!.DistillWeight);
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("do not go together", both.Error);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no-such.csv", missing.Error);
        Assert.Equal(1, wrongSplit.ExitCode);
        Assert.Contains("public.csv: has no row for", wrongSplit.Error);
        Assert.False(File.Exists(Path.Combine(_temp.File("y"), "classifier.bin")));
    }

    [Fact]
    public void Train_refuses_inconsistent_options_and_an_existing_run()
    {
        var run = TrainTiny();

        var again = CliRunner.Run("train", "--data", Data, "--no-cache", "--out", run, "--epochs", "1", "--width", "4");
        var ganWithoutStrategy = CliRunner.Run("train", "--out", _temp.File("x"), "--gan", "somewhere");
        var oversampleRealWithoutGan = CliRunner.Run("train", "--out", _temp.File("x"), "--balance", "oversample", "--oversample-real");
        var mixWithoutGan = CliRunner.Run("train", "--out", _temp.File("x"), "--synthetic-classes", "proportional");
        var resumed = CliRunner.Run("train", "--data", Data, "--no-cache", "--out", run, "--epochs", "2", "--width", "4", "--batch-size", "16", "--resume", "--json");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--resume", again.Error);
        Assert.Equal(1, ganWithoutStrategy.ExitCode);
        Assert.Equal(1, oversampleRealWithoutGan.ExitCode);
        Assert.Contains("only apply with --balance gan", oversampleRealWithoutGan.Error);
        Assert.Equal(1, mixWithoutGan.ExitCode);
        Assert.Contains("only apply with --balance gan", mixWithoutGan.Error);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        using var json = JsonDocument.Parse(resumed.Out);
        Assert.Equal(1, json.RootElement.GetProperty("resumed_from").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("epoch").GetInt32());
    }

    [Fact]
    public void Train_fine_tunes_from_a_model_with_weight_averaging_and_says_what_it_selected()
    {
        var start = TrainTiny();

        var tuned = _temp.File("tuned");
        // No --arch or --width: a fine-tuning run takes the network of the model it starts from (vgg-4, not the
        // profile's vgg-16).
        var result = CliRunner.Run("train", "--data", Data, "--no-cache", "--out", tuned, "--init", start, "--epochs", "0", "--swa-epochs", "2",
            "--swa-lr", "0.002", "--batch-size", "16");
        var otherWidth = CliRunner.Run("train", "--data", Data, "--no-cache", "--out", _temp.File("wide"), "--init", start, "--epochs", "1", "--width", "8");
        var rateWithoutEpochs = CliRunner.Run("train", "--out", _temp.File("x"), "--swa-lr", "0.01");
        var nothingToTrain = CliRunner.Run("train", "--out", _temp.File("x"), "--epochs", "0");
        var withPatience = CliRunner.Run("train", "--out", _temp.File("x"), "--swa-epochs", "2", "--patience", "3");

        Assert.True(result.ExitCode == 0, result.Error);
        // Spectre wraps long lines at spaces: compare with the whitespace run together.
        static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
        Assert.Contains("training vgg-4 on", Flat(result.Error));
        Assert.Contains("(0 epochs + 2 averaged at lr 0.002, batch 16,", Flat(result.Error));
        Assert.Contains($"from the weights of {start}", Flat(result.Error));
        Assert.Contains("weight average of epochs 1-2: PublicTest accuracy", Flat(result.Out));
        var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(tuned, "classifier.json"))).RootElement;
        var selection = card.GetProperty("selection");
        var expected = selection.GetProperty("averaged_from_epoch").ValueKind == JsonValueKind.Number ? "selected the average of epochs 1-2"
            : selection.GetProperty("epoch").GetInt32() == 0 ? "selected the initial weights (epoch 0)" : $"selected epoch {selection.GetProperty("epoch").GetInt32()}";
        Assert.Contains(expected, Flat(result.Out));
        // A finished run says what to do next, with its own folder and data.
        Assert.Contains($"next: fergan evaluate --model {tuned} --data {Data} --split PrivateTest", Flat(result.Out));
        Assert.Equal(1, otherWidth.ExitCode);
        Assert.Contains("holds a vgg-4 classifier; this run trains a vgg-8", Flat(otherWidth.Error));
        Assert.Equal(1, rateWithoutEpochs.ExitCode);
        Assert.Contains("--swa-lr only applies with --swa-epochs", rateWithoutEpochs.Error);
        Assert.Equal(1, nothingToTrain.ExitCode);
        Assert.Contains("--epochs 0 trains nothing without --swa-epochs", nothingToTrain.Error);
        Assert.Equal(1, withPatience.ExitCode);
        Assert.Contains("--swa-epochs and --patience do not go together", withPatience.Error);
    }

    [Fact]
    public void Export_checkpoint_makes_a_classifier_of_a_kept_epoch_that_evaluate_scores_as_logged()
    {
        var run = TrainTinyFor(2);
        var epoch1 = _temp.File("epoch1");

        var exported = CliRunner.Run("export", "checkpoint", "--model", run, "--epoch", "1", "--out", epoch1);
        var again = CliRunner.Run("export", "checkpoint", "--model", run, "--epoch", "1", "--out", epoch1);
        var noModel = CliRunner.Run("export", "checkpoint", "--out", _temp.File("x"));
        var evaluated = CliRunner.Run("evaluate", "--model", epoch1, "--data", Data, "--no-cache", "--split", "PublicTest", "--json");

        Assert.True(exported.ExitCode == 0, exported.Error);
        Assert.Contains("epoch 1 of", exported.Out);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--overwrite", again.Error);
        Assert.Equal(1, noModel.ExitCode);
        Assert.Contains("--model is required", noModel.Error);
        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        var logged = JsonDocument.Parse(File.ReadLines(Path.Combine(run, "log.jsonl")).First()).RootElement;
        using var scores = JsonDocument.Parse(evaluated.Out);
        Assert.Equal(logged.GetProperty("validation_accuracy").GetDouble(), scores.RootElement.GetProperty("accuracy").GetDouble(), 6);
    }

    [Fact]
    public void Keep_checkpoints_keeps_every_epoch_asked_for_and_refuses_none()
    {
        var run = TrainTinyFor(3, "run", "--keep-checkpoints", "3");
        var none = CliRunner.Run("train", "--data", Data, "--no-cache", "--out", _temp.File("none"), "--keep-checkpoints", "0");

        Assert.Equal(["step-000001", "step-000002", "step-000003"],
            Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName).Order());
        Assert.Equal(0, CliRunner.Run("export", "checkpoint", "--model", run, "--epoch", "1", "--out", _temp.File("epoch1")).ExitCode);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("--keep-checkpoints must be at least 1", none.Error);
    }

    [Fact]
    public void Soup_averages_two_epochs_of_a_run_into_a_classifier_that_evaluate_scores_as_its_card_says()
    {
        var run = TrainTinyFor(2);
        var epochs = new[] { "1", "2" }.Select(epoch =>
        {
            var folder = _temp.File($"epoch{epoch}");
            Assert.Equal(0, CliRunner.Run("export", "checkpoint", "--model", run, "--epoch", epoch, "--out", folder).ExitCode);
            return folder;
        }).ToArray();
        var soup = _temp.File("soup");

        var made = CliRunner.Run("soup", "--model", epochs[0], "--model", epochs[1], "--data", Data, "--no-cache", "--recipe", "uniform",
            "--statistics-faces", "128", "--out", soup, "--json");
        var again = CliRunner.Run("soup", "--model", epochs[0], "--model", epochs[1], "--data", Data, "--no-cache", "--out", soup);
        var once = CliRunner.Run("soup", "--model", epochs[0], "--data", Data, "--no-cache", "--out", _temp.File("x"));
        var noStatistics = CliRunner.Run("soup", "--model", epochs[0], "--model", epochs[1], "--statistics-faces", "0", "--out", _temp.File("y"));
        var weighted = CliRunner.Run("soup", "--model", epochs[0], "--model", epochs[1], "--data", Data, "--no-cache", "--recipe", "weighted",
            "--weights", "0.7, 0.3", "--statistics-faces", "128", "--out", _temp.File("weighted"));
        var badWeights = CliRunner.Run("soup", "--model", epochs[0], "--model", epochs[1], "--recipe", "weighted", "--weights", "0.7;0.3", "--out", _temp.File("z"));
        var evaluated = CliRunner.Run("evaluate", "--model", soup, "--data", Data, "--no-cache", "--split", "PublicTest", "--json");

        Assert.True(made.ExitCode == 0, made.Error);
        using var json = JsonDocument.Parse(made.Out);
        var record = json.RootElement.GetProperty("record");
        Assert.Equal("uniform", record.GetProperty("recipe").GetString());
        Assert.Equal(2, record.GetProperty("ingredients").EnumerateArray().Count(i => i.GetProperty("kept").GetBoolean()));
        Assert.Equal(128, record.GetProperty("statistics_faces").GetInt32());
        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        using var scores = JsonDocument.Parse(evaluated.Out);
        Assert.Equal(json.RootElement.GetProperty("selection").GetProperty("accuracy").GetDouble(), scores.RootElement.GetProperty("accuracy").GetDouble(), 6);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--overwrite", again.Error);
        Assert.Equal(1, once.ExitCode);
        Assert.Contains("give --model at least twice", Flat(once.Error));
        Assert.Equal(1, noStatistics.ExitCode);
        Assert.Contains("statistics faces must be at least 2", Flat(noStatistics.Error));
        Assert.True(weighted.ExitCode == 0, weighted.Error);
        Assert.Contains("share 0.7", weighted.Out);
        Assert.Contains("share 0.3", weighted.Out);
        Assert.Equal(1, badWeights.ExitCode);
        Assert.Contains("--weights 0.7;0.3: give numbers separated by commas", Flat(badWeights.Error));

        static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
    }

    [Fact]
    public void Export_half_halves_the_weights_and_keeps_the_predictions()
    {
        var run = TrainTiny();
        var half = _temp.File("half");

        var exported = CliRunner.Run("export", "half", "--model", run, "--out", half);
        var a = CliRunner.Run("evaluate", "--model", run, "--data", Data, "--no-cache", "--json");
        var b = CliRunner.Run("evaluate", "--model", half, "--data", Data, "--no-cache", "--json");

        Assert.True(exported.ExitCode == 0, exported.Error);
        Assert.InRange(new FileInfo(Path.Combine(half, "classifier.bin")).Length, 1, new FileInfo(Path.Combine(run, "classifier.bin")).Length * 0.7);
        using var ja = JsonDocument.Parse(a.Out);
        using var jb = JsonDocument.Parse(b.Out);
        Assert.Equal(ja.RootElement.GetProperty("accuracy").GetDouble(), jb.RootElement.GetProperty("accuracy").GetDouble(), 2);
    }

    [Fact]
    public void Experiment_runs_the_grid_skips_finished_runs_and_summarises_per_strategy()
    {
        var spec = _temp.File("spec.json");
        File.WriteAllText(spec, $$"""
            { "data": "{{Data}}", "epochs": 1, "width": 4, "batch_size": 16, "evaluate_on": "PublicTest",
              "runs": [ { "balance": "none", "seeds": [1, 2] }, { "balance": "oversample", "seeds": [1] },
                        { "name": "none-photometric", "balance": "none", "photometric": 0.5, "seeds": [1] } ] }
            """);
        var out1 = CliRunner.Run("experiment", spec, "--out", _temp.File("grid"), "--json");
        var out2 = CliRunner.Run("experiment", spec, "--out", _temp.File("grid"), "--json");

        Assert.True(out1.ExitCode == 0, out1.Error);
        using var json = JsonDocument.Parse(out1.Out);
        var strategies = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["none", "oversample", "none-photometric"], strategies.Select(s => s.GetProperty("balance").GetString()));
        Assert.Equal(2, strategies[0].GetProperty("seeds").GetInt32());
        // A named arm gets its own run folder, its recipe change in the run's options, and its name in result.json.
        using var options = JsonDocument.Parse(File.ReadAllText(_temp.File("grid/runs/none-photometric-seed1/options.json")));
        Assert.Equal(0.5, options.RootElement.GetProperty("augment").GetProperty("photometric_probability").GetDouble());
        using var result = JsonDocument.Parse(File.ReadAllText(_temp.File("grid/runs/none-photometric-seed1/result.json")));
        Assert.Equal("none-photometric", result.RootElement.GetProperty("arm").GetString());
        // Scored three ways: all test faces, without exact Training duplicates, without exact or near ones.
        int Faces(string part) => result.RootElement.GetProperty(part).GetProperty("faces").GetInt32();
        Assert.Equal("near", result.RootElement.GetProperty("test_without_near_duplicates").GetProperty("duplicates_left_out").GetString());
        Assert.True(Faces("test") >= Faces("test_without_duplicates") && Faces("test_without_duplicates") >= Faces("test_without_near_duplicates"));
        Assert.Contains("disgust F1 w/o near dups", File.ReadAllText(_temp.File("grid/summary.md")));
        Assert.True(File.Exists(_temp.File("grid/summary.md")));
        Assert.True(File.Exists(_temp.File("grid/summary.png")));
        Assert.True(out2.ExitCode == 0, out2.Error);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(out2.Error, "done earlier").Count);

        // The spec edited between sittings: its finished runs are no longer its runs, and are not summarised as such.
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"epochs\": 1", "\"epochs\": 2"));
        var edited = CliRunner.Run("experiment", spec, "--out", _temp.File("grid"), "--json");
        Assert.Equal(1, edited.ExitCode);
        Assert.Contains("none-seed1 was trained with other settings than the spec asks for now (epochs 1 -> 2)", edited.Error.ReplaceLineEndings(""));
    }

    [Fact]
    public void Experiment_goes_on_past_a_run_that_fails_and_names_it()
    {
        var spec = _temp.File("spec.json");
        File.WriteAllText(spec, $$"""
            { "data": "{{Data}}", "epochs": 1, "width": 4, "batch_size": 16, "evaluate_on": "PublicTest",
              "runs": [ { "balance": "none", "seeds": [1, 2] }, { "balance": "oversample", "seeds": [1] } ] }
            """);
        var grid = _temp.File("grid");
        Assert.Equal(0, CliRunner.Run("experiment", spec, "--out", grid).ExitCode);
        // Seed 1 unscored with an unreadable checkpoint (as on the GPU before the in-place load), seed 2 never trained.
        File.Delete(Path.Combine(grid, "runs/none-seed1/result.json"));
        var checkpoint = Directory.GetDirectories(Path.Combine(grid, "runs/none-seed1/checkpoints")).Order().Last();
        File.WriteAllBytes(Path.Combine(checkpoint, "model.bin"), [1, 2, 3]);
        Directory.Delete(Path.Combine(grid, "runs/none-seed2"), recursive: true);

        var again = CliRunner.Run("experiment", spec, "--out", grid);

        Assert.Equal(1, again.ExitCode);
        var error = again.Error.ReplaceLineEndings("");
        Assert.Contains("[1/3] none-seed1: resuming from epoch 1", error);
        Assert.Contains("[1/3] none-seed1: failed: checkpoint", error);
        Assert.Contains("1 run(s) failed and are left out of the summary", error);
        Assert.True(File.Exists(Path.Combine(grid, "runs/none-seed2/result.json")), again.Error); // trained after the failure
        // Rows in the spec's order, though none's only finished run came after oversample's this time.
        var table = File.ReadAllText(Path.Combine(grid, "summary.md"));
        Assert.True(table.IndexOf("| none | 1 |") is >= 0 and var none && none < table.IndexOf("| oversample | 1 |"), table);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(grid, "summary.json")));
        Assert.Equal("none-seed1", summary.RootElement.GetProperty("failed")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Gan_evaluate_records_its_scores_in_the_card_and_the_balancing_commands_warn_of_low_label_fidelity()
    {
        var reference = TrainTiny("reference");
        var gan = _temp.File("gan");
        var trained = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", gan,
            "--steps", "2", "--checkpoint-every", "2", "--width", "4", "--batch-size", "8");
        Assert.True(trained.ExitCode == 0, trained.Error);
        string[] Synthesize(string name) => ["data", "synthesize", "--gan", gan, "--data", "synthetic:140:1:balanced", "--no-cache", "--target", "25", "--out", _temp.File(name)];
        static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

        var unmeasured = CliRunner.Run(Synthesize("before.fgn"));
        var recorded = CliRunner.Run("gan", "evaluate", "--model", gan, "--reference", reference, "--data", Data, "--no-cache", "--samples", "20", "--record", "--json");
        var measured = CliRunner.Run(Synthesize("after.fgn"));
        var bundled = CliRunner.Run("gan", "evaluate", "--data", Data, "--no-cache", "--record");

        Assert.True(unmeasured.ExitCode == 0, unmeasured.Error);
        Assert.Contains($"the label fidelity of {gan} is not measured", Flat(unmeasured.Error));
        Assert.True(recorded.ExitCode == 0, recorded.Error);
        var report = JsonDocument.Parse(recorded.Out).RootElement.GetProperty("report");
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(gan, "generator.json"))).RootElement.GetProperty("metrics");
        Assert.Equal(report.GetProperty("label_fidelity").GetDouble(), metrics.GetProperty("label_fidelity").GetDouble());
        Assert.Equal(report.GetProperty("fid").GetDouble(), metrics.GetProperty("fid").GetDouble());
        Assert.All(Emotions.Names, name => Assert.Equal(report.GetProperty("per_class").GetProperty(name).GetProperty("label_fidelity").GetDouble(),
            metrics.GetProperty("label_fidelity_" + name).GetDouble()));
        // Two steps at width 4 follow no emotion: the warning gives the measured share (a generator at 0.8 or above
        // gets none: GeneratorCard.LabelCaution).
        Assert.True(measured.ExitCode == 0, measured.Error);
        Assert.InRange(metrics.GetProperty("label_fidelity").GetDouble(), 0, 0.8);
        Assert.Contains($"the label fidelity of {gan} is {metrics.GetProperty("label_fidelity").GetDouble():0.00}", Flat(measured.Error));
        Assert.Contains("would be mislabelled training faces", Flat(measured.Error));
        Assert.Equal(1, bundled.ExitCode);
        Assert.Contains("name the generator folder with --model", Flat(bundled.Error + bundled.Out));
    }

    [Fact]
    public void Gan_evaluate_measures_a_generator_against_a_reference_with_per_checkpoint_scores()
    {
        var reference = TrainTiny("reference");
        var gan = _temp.File("gan");
        var trained = CliRunner.Run("gan", "train", "--data", "synthetic:140:1:balanced", "--no-cache", "--out", gan,
            "--steps", "4", "--checkpoint-every", "2", "--width", "4", "--batch-size", "8", "--json");
        Assert.True(trained.ExitCode == 0, trained.Error);

        var result = CliRunner.Run("gan", "evaluate", "--model", gan, "--reference", reference, "--data", Data, "--no-cache",
            "--samples", "20", "--checkpoints", "--grid", _temp.File("nearest.png"), "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var report = json.RootElement.GetProperty("report");
        Assert.True(report.GetProperty("fid").GetDouble() >= 0);
        Assert.InRange(report.GetProperty("label_fidelity").GetDouble(), 0, 1);
        Assert.InRange(report.GetProperty("inception_score").GetProperty("mean").GetDouble(), 1, 7);
        Assert.Equal(Emotions.Names, report.GetProperty("per_class").EnumerateObject().Select(p => p.Name));
        Assert.Equal([2, 4], json.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("step").GetInt32()));
        var trend = json.RootElement.GetProperty("trend");   // FID falling at every checkpoint, overall and per emotion
        Assert.Equal(Emotions.Names, trend.GetProperty("per_class").EnumerateObject().Select(p => p.Name));
        Assert.Equal(trend.GetProperty("overall").ValueKind == JsonValueKind.Null && trend.GetProperty("per_class").EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Null),
            trend.GetProperty("falls_everywhere").GetBoolean());
        var copies = report.GetProperty("copies");
        Assert.Equal(7 * 20, copies.GetProperty("faces").GetInt32()); // --samples 20 per emotion, all checked
        Assert.Equal(copies.GetProperty("near_copies").GetInt32() / 140.0, copies.GetProperty("rate").GetDouble(), 9);
        Assert.True(new FileInfo(_temp.File("nearest.png")).Length > 0);
        Assert.Equal(16 * 4, report.GetProperty("feature_dimension").GetInt32()); // the width-4 reference's dense layer

        // The table marks FIDs from fewer faces than features (here all: 20 generated faces, 64 features).
        var table = CliRunner.Run("gan", "evaluate", "--model", gan, "--reference", reference, "--data", Data, "--no-cache", "--samples", "20");
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Contains("* fewer real or generated faces than the reference's 64 features", table.Out);
        Assert.DoesNotContain("FID falls at every checkpoint", table.Out);   // no --checkpoints, no trend
        // Per checkpoint, in 80 columns: every number whole on its row (one eleven-column table wrapped them).
        var narrow = CliRunner.RunWithWidth(80, "gan", "evaluate", "--model", gan, "--reference", reference, "--data", Data, "--no-cache", "--samples", "20", "--checkpoints");
        Assert.True(narrow.ExitCode == 0, narrow.Error);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(narrow.Out, @"│ 4 +│ \d+\.\d\d +│ \d+\.\d{4} +│ \d\.\d{3} +│"), narrow.Out);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(narrow.Out, @"│ 4 +│(?: +\d+\.\d +│){7}"), narrow.Out);
        Assert.Contains("FID falls at every checkpoint", narrow.Out);

        // CAS at every checkpoint: each its own classifier, the last one the report's (trained once, with the real-face
        // comparison); the same recipe and seed throughout.
        var cas = CliRunner.Run("gan", "evaluate", "--model", gan, "--reference", reference, "--data", Data, "--no-cache", "--samples", "20",
            "--checkpoints", "--cas", "--cas-checkpoints", "--cas-epochs", "1", "--json");
        Assert.True(cas.ExitCode == 0, cas.Error);
        using var casJson = JsonDocument.Parse(cas.Out);
        var final = casJson.RootElement.GetProperty("report").GetProperty("classification_accuracy_score");
        var perCheckpoint = casJson.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("cas")).ToList();
        Assert.Equal(2, perCheckpoint.Count);
        Assert.Equal(JsonValueKind.Null, perCheckpoint[0].GetProperty("real_data_accuracy").ValueKind);
        Assert.InRange(perCheckpoint[0].GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.Equal(final.GetProperty("accuracy").GetDouble(), perCheckpoint[1].GetProperty("accuracy").GetDouble());
        // Three trainings of one epoch: checkpoint 2's, then the final generator's and the real faces'.
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(cas.Error, "CAS epoch 1/1").Count);
        var refused = CliRunner.Run("gan", "evaluate", "--model", gan, "--reference", reference, "--data", Data, "--no-cache", "--cas-checkpoints");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--cas-checkpoints needs --checkpoints and --cas", refused.Error + refused.Out);
    }
}
