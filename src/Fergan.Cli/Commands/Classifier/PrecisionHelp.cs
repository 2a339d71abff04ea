using Fergan.Torch.Classifier.Models;

namespace Fergan.Cli.Commands.Classifier;

/// <summary>The help text and wording of --precision and --channels-last, shared by `train` and `bench step`.</summary>
internal static class PrecisionHelp
{
    public const string Text =
        "fp32, or bf16: mixed precision as PyTorch's bf16 autocast (convolutions and dense layers in bfloat16; weights, optimiser, batch-norm statistics and loss in float32). For GPUs with bfloat16 units; slower on CPUs without them.";

    public const string ChannelsLast = "Run the network in the channels-last memory layout (same values; faster convolutions on GPUs).";

    public static string Describe(ComputePrecision precision, bool channelsLast) =>
        precision.ToString().ToLowerInvariant() + (channelsLast ? ", channels-last" : "");
}
