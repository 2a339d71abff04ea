using System.ComponentModel;
using Fergan.Torch.Runtime;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands;

/// <summary>Help texts of the libtorch options, shared by every command that has them.</summary>
public static class TorchOptionHelp
{
    public const string LibTorch = "Use this libtorch instead of the bundled CPU one (e.g. a CUDA PyTorch install's torch/lib). Also: FERGAN_LIBTORCH.";
    public const string Device = "cpu, cuda or cuda:N.";
    public const string Threads = "CPU threads for libtorch. Default: libtorch's choice (one per physical core).";
    public const string OneDnnIsa = "Newest instruction set for oneDNN CPU kernels (AVX, AVX2, AVX512_CORE, ... or default for no cap). AVX by default: newer kernels gave non-reproducible, sometimes NaN, gradients on the development machines; `fergan doctor` checks a setting.";
}

/// <summary>The libtorch options, for commands whose settings already derive from another base.</summary>
public interface ITorchSettings
{
    string? LibTorch { get; }
    string Device { get; }
    int? Threads { get; }
    string OneDnnIsa { get; }
}

public static class TorchSettingsExtensions
{
    public static TorchRuntimeOptions ToRuntimeOptions(this ITorchSettings s) => new() { LibTorch = s.LibTorch, Device = s.Device, Threads = s.Threads, OneDnnMaxIsa = s.OneDnnIsa };
}

/// <summary>Options of every command that runs libtorch (same names in each).</summary>
public class TorchSettings : CommandSettings, ITorchSettings
{
    [CommandOption("--libtorch <DIR>")]
    [Description(TorchOptionHelp.LibTorch)]
    public string? LibTorch { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description(TorchOptionHelp.Device)]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--threads <N>")]
    [Description(TorchOptionHelp.Threads)]
    public int? Threads { get; init; }

    [CommandOption("--onednn-isa <ISA>")]
    [Description(TorchOptionHelp.OneDnnIsa)]
    [DefaultValue(TorchRuntimeOptions.DefaultOneDnnMaxIsa)]
    public string OneDnnIsa { get; init; } = TorchRuntimeOptions.DefaultOneDnnMaxIsa;
}

