using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tensors;

/// <summary>
/// Weights files in the precision a model card names: float32 as trained, or float16 for models stored at half the
/// size (the bundled ones). Modules always compute in float32; only the file differs. Shared by classifiers and
/// generators, whose cards both carry a weights precision.
/// </summary>
internal static class StoredWeights
{
    public const string Float32 = "float32", Float16 = "float16";

    /// <summary>Loads <paramref name="path"/>, stored in <paramref name="precision"/>, into a float32 module.</summary>
    public static void Load(nn.Module module, string path, string precision)
    {
        if (precision == Float16)
        {
            module.to(ScalarType.Float16); // a float16 file loads only into float16 parameters
            module.load(path, strict: true);
            module.to(ScalarType.Float32);
        }
        else
        {
            module.load(path, strict: true);
        }
    }

    /// <summary>
    /// Writes <paramref name="source"/>'s weights as float16 to <paramref name="path"/> (atomically), through
    /// <paramref name="scratch"/>, a fresh module of the same architecture, so the source stays float32.
    /// </summary>
    public static void SaveHalf(nn.Module source, nn.Module scratch, string path)
    {
        scratch.load_state_dict(source.state_dict());
        scratch.to(ScalarType.Float16);
        Training.RunDirectory.WriteAtomically(path, temp => scratch.save(temp));
    }
}
