using Fergan.Tests;

namespace Fergan.Cli.Tests;

/// <summary>The repository's ./fergan script: builds the CLI on first use, then runs it (what a fresh clone does).</summary>
/// <remarks>Alone in its collection: the build takes both cores, and other tests should not time-share with it.</remarks>
[CollectionDefinition(nameof(ScriptTests), DisableParallelization = true)]
[Collection(nameof(ScriptTests))]
public sealed class ScriptTests
{
    [Fact]
    public void The_fergan_script_builds_and_runs_doctor()
    {
        Assert.SkipWhen(SharedData.RepositoryRoot is null, "the test is not running from a repository checkout");
        var result = CliRunner.RunCommand("bash", [Path.Combine(SharedData.RepositoryRoot!, "fergan"), "doctor"], null, TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        Assert.Contains("Training can run.", result.Out);
    }
}
