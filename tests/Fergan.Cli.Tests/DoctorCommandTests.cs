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
