using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

/// <summary>Options of every command that runs libtorch (same names in each).</summary>
public class TorchSettings : CommandSettings
{
    [CommandOption("--libtorch <DIR>")]
    [Description("Use this libtorch instead of the bundled CPU one (e.g. a CUDA PyTorch install's torch/lib). Also: FERGAN_LIBTORCH.")]
    public string? LibTorch { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("cpu, cuda or cuda:N.")]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--threads <N>")]
    [Description("CPU threads for libtorch. Default: libtorch's choice (one per physical core).")]
    public int? Threads { get; init; }

    public TorchRuntimeOptions ToRuntimeOptions() => new() { LibTorch = LibTorch, Device = Device, Threads = Threads };
}

public sealed class DoctorSettings : TorchSettings
{
    [CommandOption("--json")]
    [Description("Print the runtime facts and the self-test as one JSON object.")]
    public bool Json { get; init; }
}

public sealed class DoctorCommand(CliConsoles consoles) : Command<DoctorSettings>
{
    public override int Execute(CommandContext context, DoctorSettings settings, CancellationToken cancellationToken)
    {
        var info = TorchRuntime.Initialize(settings.ToRuntimeOptions());
        var test = RuntimeSelfTest.Run(settings.Device);
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new { runtime = info, self_test = test, ok = test.Passed });
        }
        else
        {
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string name, string value) => grid.AddRow($"[grey]{name}[/]", value);
            Row("TorchSharp", Markup.Escape(info.TorchSharpVersion));
            Row("libtorch", $"{Markup.Escape(info.LibTorchVersion)} ({info.LibTorchOrigin}) {Markup.Escape(info.LibTorchDirectory)}");
            Row("native library", Markup.Escape(info.LibTorchSharpPath));
            Row("system libstdc++", $"{Markup.Escape(info.SystemLibStdCxx ?? "not found")} (newest {Markup.Escape(info.NewestGlibcxx ?? "?")})");
            Row("compatibility fix", info.CompatibilityFix is { } fix
                ? "[yellow]applied[/]: " + Markup.Escape(string.Join("; ", fix))
                : "not needed");
            Row("device", Markup.Escape(info.Device));
            Row("CUDA", info.CudaAvailable ? $"available, {info.CudaDevices} device(s)" : "not available");
            Row("threads", info.Threads.ToString());
            Row("training self-test", test.Passed
                ? $"[green]passed[/]: loss {test.InitialLoss:0.000} -> {test.FinalLoss:0.000} in {test.Steps} steps ({test.Milliseconds:0} ms)"
                : $"[red]failed[/]: loss {test.InitialLoss:0.000} -> {test.FinalLoss:0.000} in {test.Steps} steps");
            consoles.Out.Write(grid);
            consoles.Out.MarkupLine(test.Passed ? "[green]Training can run.[/]" : "[red]Training cannot run: the self-test did not learn.[/]");
        }
        return test.Passed ? 0 : FerganApp.UserError;
    }
}
