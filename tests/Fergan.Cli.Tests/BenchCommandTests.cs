using System.Text.Json;

namespace Fergan.Cli.Tests;

/// <summary>`bench step` (the benchmark the GPU session compares with PyTorch) and `bench inference` run and report what they measured.</summary>
[Collection("Torch")]
public sealed class BenchCommandTests
{
    [Fact]
    public void Bench_step_times_both_steps_in_the_requested_windows()
    {
        var result = CliRunner.Run("bench", "step", "--data", "synthetic:700:3", "--no-cache", "--width", "4", "--batch-size", "8",
            "--steps", "2", "--repeats", "3", "--warmup", "1", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal("vgg-4", root.GetProperty("architecture").GetString());
        Assert.Equal(8, root.GetProperty("batch_size").GetInt32());
        foreach (var step in new[] { "libtorch", "trainer" })
        {
            var windows = root.GetProperty($"{step}_windows").EnumerateArray().Select(w => w.GetDouble()).ToList();
            Assert.Equal(3, windows.Count);
            Assert.All(windows, w => Assert.True(w > 0 && double.IsFinite(w)));
            // The reported rate is the median window.
            Assert.Equal(windows.Order().ElementAt(1), root.GetProperty($"{step}_images_per_second").GetDouble(), 6);
        }
        var share = root.GetProperty("trainer_share").GetDouble();
        Assert.Equal(root.GetProperty("trainer_images_per_second").GetDouble() / root.GetProperty("libtorch_images_per_second").GetDouble(), share, 6);
    }

    [Fact]
    public void Bench_step_runs_and_reports_mixed_precision_and_channels_last()
    {
        var result = CliRunner.Run("bench", "step", "--data", "synthetic:700:3", "--no-cache", "--width", "4", "--batch-size", "8",
            "--steps", "1", "--repeats", "1", "--warmup", "1", "--precision", "bf16", "--channels-last", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("bf16", json.RootElement.GetProperty("precision").GetString());
        Assert.True(json.RootElement.GetProperty("channels_last").GetBoolean());
        Assert.True(json.RootElement.GetProperty("trainer_images_per_second").GetDouble() > 0);
    }

    [Fact]
    public void A_batch_larger_than_the_training_split_is_a_clear_error()
    {
        var result = CliRunner.Run("bench", "step", "--data", "synthetic:70:3", "--no-cache", "--width", "4", "--batch-size", "512", "--steps", "1", "--repeats", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at least one batch of Training faces (512)", result.Error);
    }

    [Fact]
    public void Bench_inference_times_the_bundled_classifier_on_both_runtimes_which_agree()
    {
        var result = CliRunner.Run("bench", "inference", "--data", "synthetic:70:3", "--no-cache", "--batch-sizes", "1,8",
            "--faces", "8", "--repeats", "3", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var timings = json.RootElement.GetProperty("timings").EnumerateArray().ToList();
        Assert.Equal(["torch/1", "onnx/1", "torch/8", "onnx/8"],
            timings.Select(t => $"{t.GetProperty("runtime").GetString()}/{t.GetProperty("batch_size").GetInt32()}"));
        foreach (var t in timings)
        {
            var windows = t.GetProperty("windows").EnumerateArray().Select(w => w.GetDouble()).ToList();
            Assert.Equal(3, windows.Count);
            Assert.Equal(windows.Order().ElementAt(1), t.GetProperty("images_per_second").GetDouble(), 6);
            // The ONNX export is the same network: its probabilities match TorchSharp's (the first runtime) closely.
            Assert.InRange(t.GetProperty("max_probability_difference").GetDouble(), 0, 0.01);
        }
    }

    [Theory]
    [InlineData("--runtime", "torch,tensorflow", "--runtime: 'torch,tensorflow' is not a list of distinct runtimes")]
    [InlineData("--batch-sizes", "1,x", "--batch-sizes: '1,x' is not a comma-separated list")]
    [InlineData("--faces", "0", "--faces must be at least 1")]
    public void Bench_inference_refuses_bad_options_by_name(string option, string value, string message)
    {
        var result = CliRunner.Run("bench", "inference", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Error + result.Out);
    }
}
