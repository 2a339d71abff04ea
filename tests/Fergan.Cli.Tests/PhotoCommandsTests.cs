using System.Text.Json;
using Fergan.Data;
using Fergan.Tests;

namespace Fergan.Cli.Tests;

/// <summary>predict and export onnx end to end, with the bundled models.</summary>
public sealed class PhotoCommandsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static string Photos => Path.Combine(SharedData.RepositoryRoot!, "samples", "photos");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Predict_json_lists_every_face_with_box_keypoints_emotion_and_probabilities()
    {
        var result = CliRunner.Run("predict", Path.Combine(Photos, "sample1.jpg"), Path.Combine(Photos, "sample5.jpg"), "--json", "--top-k", "2");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var images = json.RootElement.GetProperty("images");
        Assert.Equal(2, images.GetArrayLength());
        Assert.Equal(3, images[0].GetProperty("faces").GetArrayLength());
        Assert.Equal(5, images[1].GetProperty("faces").GetArrayLength());
        var face = images[0].GetProperty("faces")[0];
        Assert.Equal(4, face.GetProperty("box").GetArrayLength());
        Assert.Equal(6, face.GetProperty("keypoints").GetArrayLength());
        Assert.Equal(2, face.GetProperty("top").GetArrayLength());
        Assert.Equal(Emotions.Count, face.GetProperty("probabilities").EnumerateObject().Count());
        Assert.Contains("8 face(s)", result.Error);
    }

    [Fact]
    public void Predict_table_names_photos_outside_the_current_folder_relative_to_their_common_folder()
    {
        var result = CliRunner.RunWithWidth(80, "predict", Path.Combine(Photos, "sample1.jpg"), Path.Combine(Photos, "sample5.jpg"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"photos in {Path.GetFullPath(Photos)}", result.Out);
        Assert.Contains("│ sample1.jpg", result.Out);
        Assert.Contains("│ sample5.jpg", result.Out);
        Assert.DoesNotContain(Path.Combine(Photos, "sample1.jpg"), result.Out);
        // A runner-up's share stays whole ("neutral 16 %" was split before its "%" in 80 columns).
        Assert.DoesNotMatch(@"│ +%", result.Out);
        Assert.Matches(@"│ happy +│ \d+% +│", result.Out);
    }

    [Fact]
    public void Predict_table_names_photos_in_a_folder_below_the_current_one_once_in_its_title()
    {
        // Run from the repository root, as `fergan demo` is: the photos are in samples/photos below it.
        var result = CliRunner.RunProcessIn(SharedData.RepositoryRoot!, "predict", Path.Combine("samples", "photos"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"photos in {Path.Combine("samples", "photos")}", result.Out);
        Assert.Contains("│ sample1.jpg", result.Out);
        Assert.DoesNotContain("│ samples/photos/sample1.jpg", result.Out);
    }

    [Fact]
    public void Predict_on_a_folder_annotates_each_photo_and_refuses_to_overwrite()
    {
        var annotated = _temp.File("annotated");
        var first = CliRunner.Run("predict", Photos, "--annotate", annotated, "--parallel", "2");
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("faces per emotion", first.Out);
        Assert.Equal(6, Directory.GetFiles(annotated, "*.jpg").Length);

        var again = CliRunner.Run("predict", Photos, "--annotate", annotated);
        Assert.Equal(FerganApp.UserError, again.ExitCode);
        Assert.Contains("--overwrite", again.Error);
        Assert.True(CliRunner.Run("predict", Photos, "--annotate", annotated, "--overwrite").ExitCode == 0);
    }

    [Fact]
    public void Predict_reports_a_bad_file_by_name_and_still_does_the_rest()
    {
        var folder = _temp.File("mixed");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Photos, "sample1.jpg"), Path.Combine(folder, "good.jpg"));
        File.WriteAllBytes(Path.Combine(folder, "empty.png"), []);
        File.WriteAllBytes(Path.Combine(folder, "half.jpg"), File.ReadAllBytes(Path.Combine(Photos, "sample2.jpg"))[..5000]);

        var result = CliRunner.Run("predict", folder, "--json");
        Assert.Equal(FerganApp.UserError, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var byName = json.RootElement.GetProperty("images").EnumerateArray().ToDictionary(i => Path.GetFileName(i.GetProperty("path").GetString()!));
        Assert.Contains("empty", byName["empty.png"].GetProperty("error").GetString());
        Assert.Contains("truncated", byName["half.jpg"].GetProperty("error").GetString());
        Assert.Equal(3, byName["good.jpg"].GetProperty("faces").GetArrayLength());
        Assert.Contains("2 could not be read", result.Error);

        // The table in 80 columns: the good photo's faces, and each bad file with its reason (a long reason in a
        // no-wrap column once made Spectre draw the whole table as one "…").
        var table = CliRunner.RunWithWidth(80, "predict", folder);
        var text = System.Text.RegularExpressions.Regex.Replace(table.Out, @"[\s│]+", " ");
        Assert.Contains("│ good.jpg", table.Out);
        Assert.Contains("half.jpg", table.Out);
        Assert.Contains("unreadable", table.Out);
        Assert.Contains("truncated", text);
        Assert.Contains("faces per emotion", table.Out);
    }

    [Theory]
    [InlineData("no-such-photo.jpg", "does not exist")]
    [InlineData("nowhere/*.jpg", "wildcards")]
    public void Predict_names_inputs_that_do_not_exist(string input, string message)
    {
        var result = CliRunner.Run("predict", input);
        Assert.Equal(FerganApp.UserError, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void Predict_validates_options_by_name()
    {
        var result = CliRunner.Run("predict", Photos, "--min-score", "1.5");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("min-score", result.Error + result.Out);
    }

}

/// <summary>export onnx trains a tiny model first, so it runs in the libtorch collection.</summary>
[Collection("Torch")]
public sealed class ExportOnnxCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static string Photos => Path.Combine(SharedData.RepositoryRoot!, "samples", "photos");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Export_onnx_writes_a_model_that_predict_uses()
    {
        var run = _temp.File("run");
        var trained = CliRunner.Run("train", "--data", "synthetic:700:3:balanced", "--no-cache", "--out", run, "--epochs", "1", "--width", "4", "--batch-size", "16", "--json");
        Assert.True(trained.ExitCode == 0, trained.Error);

        var onnx = _temp.File("tiny.onnx");
        var exported = CliRunner.Run("export", "onnx", "--model", run, "--out", onnx, "--json");
        Assert.True(exported.ExitCode == 0, exported.Error);
        using var json = JsonDocument.Parse(exported.Out);
        Assert.InRange(json.RootElement.GetProperty("max_abs_difference").GetDouble(), 0, 1e-4);
        Assert.Equal(FerganApp.UserError, CliRunner.Run("export", "onnx", "--model", run, "--out", onnx).ExitCode); // no silent overwrite

        var predicted = CliRunner.Run("predict", Path.Combine(Photos, "sample1.jpg"), "--model", onnx, "--json");
        Assert.True(predicted.ExitCode == 0, predicted.Error);
        Assert.Contains("\"emotion\"", predicted.Out);

        // evaluate --runtime onnx scores the folder's classifier.onnx with the same evaluator: the same numbers.
        File.Copy(onnx, Path.Combine(run, "classifier.onnx"));
        double Accuracy(string runtime)
        {
            var evaluated = CliRunner.Run("evaluate", "--model", run, "--data", "synthetic:700:3:balanced", "--no-cache", "--runtime", runtime, "--json");
            Assert.True(evaluated.ExitCode == 0, evaluated.Error);
            return JsonDocument.Parse(evaluated.Out).RootElement.GetProperty("accuracy").GetDouble();
        }
        Assert.Equal(Accuracy("torch"), Accuracy("onnx"), 3);
        Assert.Contains("--record", CliRunner.Run("evaluate", "--model", run, "--runtime", "onnx", "--record").Error + CliRunner.Run("evaluate", "--model", run, "--runtime", "onnx", "--record").Out);
    }

    [Fact]
    public void Export_gan_onnx_writes_a_checked_generator_and_refuses_to_overwrite()
    {
        var onnx = _temp.File("generator.onnx");
        var exported = CliRunner.Run("export", "gan-onnx", "--out", onnx);
        Assert.True(exported.ExitCode == 0, exported.Error);
        Assert.Contains("matches TorchSharp", exported.Out);
        Assert.True(new FileInfo(onnx).Length > 100_000);
        Assert.Equal(FerganApp.UserError, CliRunner.Run("export", "gan-onnx", "--out", onnx).ExitCode);
    }

    [Fact]
    public void Evaluate_scores_a_folder_of_labelled_photos_by_the_faces_found_in_them()
    {
        var folder = _temp.File("labelled");
        foreach (var (emotion, photo) in new[] { ("happy", "sample1.jpg"), ("happy", "sample4.jpg"), ("neutral", "sample3.jpg") })
        {
            Directory.CreateDirectory(Path.Combine(folder, "test", emotion));
            File.Copy(Path.Combine(Photos, photo), Path.Combine(folder, "test", emotion, photo));
        }

        var result = CliRunner.Run("evaluate", "--data", folder, "--find-faces", "--no-cache", "--runtime", "onnx", "--split", "PrivateTest", "--json");
        var centreCrops = CliRunner.Run("evaluate", "--data", folder, "--no-cache", "--runtime", "onnx", "--split", "PrivateTest", "--json");
        var badDetector = CliRunner.Run("data", "stats", folder, "--find-faces", "sideways");
        var notPhotos = CliRunner.Run("data", "stats", "synthetic:70", "--find-faces");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(3, json.RootElement.GetProperty("faces").GetInt32());
        // A whole group photo shrunk to 48x48 is not a face: the found faces read differently.
        using var centre = JsonDocument.Parse(centreCrops.Out);
        Assert.NotEqual(centre.RootElement.GetProperty("per_class").GetRawText(), json.RootElement.GetProperty("per_class").GetRawText());
        Assert.Equal(FerganApp.UserError, badDetector.ExitCode);
        Assert.Contains("use auto, near or far", badDetector.Error + badDetector.Out);
        Assert.Equal(FerganApp.UserError, notPhotos.ExitCode);
        Assert.Contains("image folders", notPhotos.Error + notPhotos.Out);
    }

    [Fact]
    public void Serve_takes_a_port_as_shorthand_for_a_loopback_url_but_not_beside_urls()
    {
        Assert.Equal("http://127.0.0.1:5123", new Commands.Photos.ServeSettings { Port = 5123 }.ToWebOptions().Urls);
        Assert.Equal(Commands.Photos.ServeSettings.DefaultUrls, new Commands.Photos.ServeSettings().ToWebOptions().Urls);

        var both = CliRunner.Run("serve", "--port", "5123", "--urls", "http://127.0.0.1:5124");
        var outOfRange = CliRunner.Run("serve", "--port", "70000");

        Assert.Equal(FerganApp.UserError, both.ExitCode);
        Assert.Contains("give one", both.Error + both.Out);
        Assert.Equal(FerganApp.UserError, outOfRange.ExitCode);
        Assert.Contains("between 1 and 65535", outOfRange.Error + outOfRange.Out);
    }
}

