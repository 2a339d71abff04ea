using System.ComponentModel;
using Fergan.Cli.Infrastructure;
using Fergan.Data.Imaging;
using Fergan.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

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
        // Text in grids, reports and plots: a machine without a usable font draws them without a letter, silently.
        var font = new { family = Typefaces.Sans.FamilyName, file = Typefaces.SansFile, usable = Typefaces.HasGlyphs(Typefaces.Sans) };
        if (settings.Json)
        {
            JsonOutput.Write(consoles.Out, new { runtime = info, self_test = test, font, ok = test.Passed });
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
            Row("CPU buffers", Markup.Escape(info.Allocator) + (test.ReallocationPageFaults is { } faults
                ? $"; {faults:N0} page faults re-making a 40 MiB tensor 5 times (51,200 when mapped afresh)" : ""));
            Row("oneDNN ISA cap", $"{Markup.Escape(info.OneDnnMaxIsa)} ({Markup.Escape(info.OneDnnMaxIsaOrigin)})");
            Row("training self-test", test.Learned
                ? $"[green]learns[/]: loss {test.InitialLoss:0.000} -> {test.FinalLoss:0.000} in {test.Steps} steps ({test.Milliseconds:0} ms)"
                : $"[red]does not learn[/]: loss {test.InitialLoss:0.000} -> {test.FinalLoss:0.000} in {test.Steps} steps");
            Row("gradients", test.Reproducible
                ? "[green]reproducible[/] (repeated backward passes agree: bit-identical on CPU, to 1e-3 on CUDA)"
                : "[red]not reproducible[/]: repeated backward passes differ or hold NaN; try a lower --onednn-isa (e.g. AVX)");
            Row("resume", test.Resumes
                ? "[green]replays[/] (weights and optimiser state saved halfway and loaded back end the second half where it ended)"
                : $"[red]fails[/]: {Markup.Escape(test.ResumeProblem ?? "")}; runs cut short here cannot be resumed");
            Row("font for pictures", !font.usable
                ? "[yellow]none usable[/]: grids and plots will have no text (apt-get install fonts-dejavu-core, or set FERGAN_FONT to a .ttf)"
                : Markup.Escape(font.family) + (font.file is null ? " (fontconfig)" : $" (from {Markup.Escape(font.file)}: fontconfig had none usable)"));
            consoles.Out.Write(grid);
            consoles.Out.MarkupLine(test.Passed ? "[green]Training can run.[/]"
                : test.Learned && test.Reproducible ? "[red]Training runs, but a run stopped here cannot be resumed (see resume above).[/]"
                : test.Learned ? "[red]Training cannot be trusted: this device's kernels give non-reproducible gradients.[/]"
                : "[red]Training cannot run: the self-test did not learn.[/]");
        }
        return test.Passed ? 0 : FerganApp.UserError;
    }
}
