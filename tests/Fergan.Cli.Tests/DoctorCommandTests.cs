using System.Text.Json;

namespace Fergan.Cli.Tests;

[Collection("Torch")]
public sealed class DoctorCommandTests
{
    [Fact]
    public void Doctor_passes_as_a_real_process_and_reports_the_runtime()
    {
        var result = CliRunner.RunProcess("doctor", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        var runtime = json.RootElement.GetProperty("runtime");
        Assert.Equal("0.107.0", runtime.GetProperty("torch_sharp_version").GetString());
        Assert.Equal("bundled", runtime.GetProperty("lib_torch_origin").GetString());
        Assert.True(json.RootElement.GetProperty("self_test").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void Large_cpu_buffers_are_reused_unless_the_user_set_glibc_thresholds()
    {
        // Mapped afresh, five 40 MiB tensors cost 5 x 10,240 page faults; reused, none, or one round's worth when
        // another thread's small allocation split the freed block and the heap grew once more (seen 1 in 4 runs).
        static (string Allocator, long Faults) Doctor(Dictionary<string, string>? environment)
        {
            var result = CliRunner.RunProcess(environment, "doctor", "--json");
            Assert.True(result.ExitCode == 0, result.Error);
            using var json = JsonDocument.Parse(result.Out);
            return (json.RootElement.GetProperty("runtime").GetProperty("allocator").GetString()!,
                json.RootElement.GetProperty("self_test").GetProperty("reallocation_page_faults").GetInt64());
        }

        var tuned = Doctor(null);
        var user = Doctor(new Dictionary<string, string> { ["MALLOC_TRIM_THRESHOLD_"] = "131072" });

        Assert.StartsWith("large buffers reused", tuned.Allocator);
        Assert.True(tuned.Faults < 2 * 10_240, $"{tuned.Faults} page faults with the tuning");
        Assert.Equal("left to MALLOC_TRIM_THRESHOLD_ in the environment", user.Allocator);
        Assert.True(user.Faults > 4 * 10_240, $"{user.Faults} page faults with glibc's own thresholds");
    }

    [Fact]
    public void A_bad_libtorch_folder_fails_with_exit_1_and_advice()
    {
        var result = CliRunner.RunProcess("doctor", "--libtorch", "/nonexistent/torch/lib");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("lacks libc10.so", result.Error);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void The_environment_variable_selects_libtorch_too()
    {
        var result = CliRunner.RunProcess(new Dictionary<string, string> { ["FERGAN_LIBTORCH"] = "/nonexistent/libtorch" }, "doctor");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(from FERGAN_LIBTORCH)", result.Error);
    }
}
