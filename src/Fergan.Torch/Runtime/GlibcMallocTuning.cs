using System.Runtime.InteropServices;

namespace Fergan.Torch.Runtime;

/// <summary>
/// Makes glibc's malloc keep and reuse libtorch's large CPU buffers instead of mapping fresh memory for each one.
/// </summary>
/// <remarks>
/// libtorch's CPU allocator calls posix_memalign for every tensor. glibc serves any block above its mmap threshold
/// (128 KiB at start, raised by itself to at most 32 MiB) with a fresh mmap and unmaps it on free, so every
/// training step maps its activations anew and the kernel zero-fills every page again on first touch. Measured on
/// 2 cores (`fergan bench step`, batch 64): vgg-16 trained at 226-255 images/s with 0.75-1.05 million page faults
/// per run, and at 383-416 images/s with 0.08 million once both thresholds were raised; vgg-64, whose activations
/// exceed 32 MiB, went from 28 to 33 images/s only with the threshold above that. Raising the thresholds to 1 GiB
/// (the largest block still taken from the heap, and the free heap top kept before trimming) turns the mapping
/// into reuse: resident memory stays near the peak a step needs, which is what the process holds at that peak
/// anyway. It works on the process's main thread, where the CLI trains (the main arena grows without limit);
/// other threads get 64 MiB arena heaps that glibc unmaps once empty, whatever the thresholds. `fergan doctor`
/// measures the effect (<see cref="RuntimeSelfTest.ReallocationPageFaults"/>). A user who set
/// MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or malloc tunables keeps them.
/// </remarks>
internal static class GlibcMallocTuning
{
    /// <summary>The threshold both settings get: 1 GiB.</summary>
    public const int ThresholdBytes = 1 << 30;

    private const int MTrimThreshold = -1, MMmapThreshold = -3;

    private static readonly string[] UserVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"];

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>Applies the setting unless the user chose their own; returns what is in force, for `doctor`.</summary>
    public static string Apply(bool enabled)
    {
        if (!enabled)
        {
            return "glibc defaults (tuning turned off)";
        }
        if (UserVariables.FirstOrDefault(v => NativeLinker.GetEnvironment(v) is { Length: > 0 }) is { } set)
        {
            return $"left to {set} in the environment";
        }
        if (NativeLinker.GetEnvironment("GLIBC_TUNABLES") is { } tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
        {
            return "left to GLIBC_TUNABLES in the environment";
        }
        try
        {
            // mallopt returns 1 on success; glibc accepts thresholds up to the address space, musl has no mallopt.
            var applied = MallOpt(MMmapThreshold, ThresholdBytes) == 1 & MallOpt(MTrimThreshold, ThresholdBytes) == 1;
            return applied ? "large buffers reused (glibc mmap and trim thresholds 1 GiB)" : "glibc defaults (mallopt refused the thresholds)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "system defaults (not glibc)";
        }
    }
}
