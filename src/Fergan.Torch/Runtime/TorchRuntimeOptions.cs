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

    /// <summary>
    /// The newest instruction set oneDNN's CPU kernels may use (its ONEDNN_MAX_CPU_ISA): "AVX" by default, "default"
    /// for no cap. An ONEDNN_MAX_CPU_ISA already in the environment wins.
    /// </summary>
    /// <remarks>
    /// Measured on this project's machines (AMD EPYC with AVX-512, virtualised): with oneDNN's AVX2 or AVX-512
    /// kernels, the GAN generator's gradient for one fixed input differed between repeated backward passes (134 of
    /// 150 differed, by up to a third of its magnitude) and was NaN in up to 1 in 8; with the cap at AVX every pass
    /// was bit-identical and matched libtorch's non-oneDNN kernels. The cap halves CPU GAN throughput (100 to 52
    /// images/s); turning oneDNN off instead costs 7x (15 images/s). `fergan doctor` checks reproducibility under
    /// the setting in force, so a machine where the newer kernels are sound can lift the cap safely.
    /// </remarks>
    public string OneDnnMaxIsa { get; init; } = DefaultOneDnnMaxIsa;

    public const string DefaultOneDnnMaxIsa = "AVX";

    /// <summary>
    /// Let glibc's malloc keep libtorch's large CPU buffers for reuse instead of mapping and zero-filling them anew
    /// every step (CPU training here: vgg-16 1.6-1.7x, vgg-64 1.2x faster; see <see cref="GlibcMallocTuning"/>).
    /// Process-wide, set at the first initialisation; MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ in the
    /// environment win.
    /// </summary>
    public bool ReuseLargeBuffers { get; init; } = true;

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

    /// <summary>The oneDNN instruction-set cap in force ("default" when none) and where it came from.</summary>
    public required string OneDnnMaxIsa { get; init; }

    public required string OneDnnMaxIsaOrigin { get; init; }

    /// <summary>How the C allocator serves libtorch's CPU buffers (see <see cref="TorchRuntimeOptions.ReuseLargeBuffers"/>).</summary>
    public required string Allocator { get; init; }
}

/// <summary>libtorch could not be brought up; the message says what is missing and what to do.</summary>
public sealed class TorchRuntimeException(string message) : FerganException(message);
