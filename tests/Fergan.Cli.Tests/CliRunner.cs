using System.Diagnostics;
using Spectre.Console.Testing;

namespace Fergan.Cli.Tests;

/// <summary>Runs `fergan` in-process against test consoles, or as a real process for exit codes and streams.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(params string[] args) => RunWithWidth(200, args);

    /// <summary>As <see cref="Run"/> on consoles of the given width (80: a terminal's, or what Spectre assumes without one).</summary>
    public static Result RunWithWidth(int width, params string[] args)
    {
        var output = new TestConsole().Width(width);
        var errors = new TestConsole().Width(width);
        var code = FerganApp.Create(output, errors).Run(args);
        return new Result(code, output.Output, errors.Output);
    }

    /// <summary>Runs the built fergan.dll in a child process (Program.cs, real stdout/stderr and exit code).</summary>
    public static Result RunProcess(params string[] args) => RunProcess(null, args);

    /// <summary>Runs the built fergan.dll in a child process started in <paramref name="folder"/>.</summary>
    public static Result RunProcessIn(string folder, params string[] args) =>
        RunCommand("dotnet", [Path.Combine(AppContext.BaseDirectory, "fergan.dll"), .. args], null, TimeSpan.FromMinutes(2), folder);

    public static Result RunProcess(IDictionary<string, string>? environment, params string[] args) =>
        RunCommand("dotnet", [Path.Combine(AppContext.BaseDirectory, "fergan.dll"), .. args], environment, TimeSpan.FromMinutes(2));

    public static Result RunCommand(string file, IEnumerable<string> args, IDictionary<string, string>? environment, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
