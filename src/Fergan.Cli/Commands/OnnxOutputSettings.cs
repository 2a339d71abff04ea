using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

/// <summary>The output options of the ONNX export commands: one .onnx file, replaced only with --overwrite, float16 weights with --half.</summary>
public class OnnxOutputSettings : TorchSettings
{
    [CommandOption("-o|--out <FILE>")]
    [Description("The .onnx file to write.")]
    public string? Out { get; init; }

    [CommandOption("--overwrite")]
    [Description("Replace --out if it exists.")]
    public bool Overwrite { get; init; }

    [CommandOption("--half")]
    [Description("Store the weights as float16 (half the file; ONNX Runtime computes in float32 either way).")]
    public bool Half { get; init; }

    public override ValidationResult Validate() =>
        Out is null ? ValidationResult.Error("--out is required.")
        : !Out.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? ValidationResult.Error($"--out {Out}: the file name must end in .onnx.")
        : base.Validate();
}
