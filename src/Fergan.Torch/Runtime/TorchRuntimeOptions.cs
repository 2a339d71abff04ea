namespace Fergan.Torch.Runtime;

/// <summary>How to bring up libtorch (same names as the CLI's --libtorch and --device).</summary>
public sealed record TorchRuntimeOptions
{
    /// <summary>
    /// A libtorch directory to use instead of the bundled CPU one: a libtorch zip's <c>lib</c> folder, a PyTorch
    /// install's <c>torch/lib</c> (or the <c>torch</c> package folder). Null: $FERGAN_LIBTORCH, else the bundled copy.
    /// </summary>
    public string? LibTorch { get; init; }

    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Intra-op threads; null leaves libtorch's default (one per physical core).</summary>
    public int? Threads { get; init; }

    /// <summary>Cache root for the patched native library; null uses the Fergan cache (see FerganPaths).</summary>
    public string? CacheDirectory { get; init; }
}

/// <summary>What was loaded, from where, and how: what `fergan doctor` prints.</summary>
public sealed record TorchRuntimeInfo
{
    public required string TorchSharpVersion { get; init; }
    public required string LibTorchVersion { get; init; }
    public required string LibTorchDirectory { get; init; }

    /// <summary>bundled, --libtorch or FERGAN_LIBTORCH.</summary>
    public required string LibTorchOrigin { get; init; }

    public required string LibTorchSharpPath { get; init; }
    public required string? SystemLibStdCxx { get; init; }
    public required string? NewestGlibcxx { get; init; }

    /// <summary>Null when TorchSharp's native library loaded as shipped; otherwise what was retargeted.</summary>
    public required IReadOnlyList<string>? CompatibilityFix { get; init; }

    public required string Device { get; init; }
    public required bool CudaAvailable { get; init; }
    public required int CudaDevices { get; init; }
    public required int Threads { get; init; }
}

/// <summary>libtorch could not be brought up; the message says what is missing and what to do.</summary>
public sealed class TorchRuntimeException(string message) : FerganException(message);
