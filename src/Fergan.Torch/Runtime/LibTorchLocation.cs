using System.Reflection;
using System.Text.RegularExpressions;

namespace Fergan.Torch.Runtime;

/// <summary>Where libtorch is, where that choice came from, and which version it is.</summary>
internal sealed partial record LibTorchLocation(string Directory, string Origin, string Version)
{
    public const string EnvironmentVariable = "FERGAN_LIBTORCH";
    public const string BundledFolder = "libtorch";

    /// <summary>Libraries loaded in this order, so each one's dependencies are already present (CUDA ones only if there).</summary>
    public static readonly string[] LoadOrder = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    private static readonly string[] Required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    public bool HasCuda => File.Exists(Path.Combine(Directory, "libtorch_cuda.so"));

    public static LibTorchLocation Resolve(string? option)
    {
        var (dir, origin) = option is { Length: > 0 }
            ? (option, "--libtorch")
            : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env
                ? (env, EnvironmentVariable)
                : (Path.Combine(AppContext.BaseDirectory, BundledFolder), "bundled");
        dir = Normalise(Path.GetFullPath(dir));
        var missing = Required.Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        if (missing.Count > 0)
        {
            var hint = origin == "bundled"
                ? "The bundled CPU libtorch is copied next to the program at build time: rebuild (./fergan rebuilds on first use), or give --libtorch DIR / FERGAN_LIBTORCH."
                : "Point it at a libtorch 'lib' folder, e.g. a PyTorch install's torch/lib (python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))' + /lib).";
            throw new TorchRuntimeException($"libtorch folder {dir} (from {origin}) lacks {string.Join(", ", missing)}. {hint}");
        }
        return new LibTorchLocation(dir, origin, ReadVersion(dir, origin));
    }

    /// <summary>Accepts the lib folder itself, a libtorch root, or a PyTorch package folder.</summary>
    private static string Normalise(string dir) =>
        !File.Exists(Path.Combine(dir, "libtorch.so")) && File.Exists(Path.Combine(dir, "lib", "libtorch.so"))
            ? Path.Combine(dir, "lib")
            : dir;

    private static string ReadVersion(string dir, string origin)
    {
        if (origin == "bundled")
        {
            return typeof(LibTorchLocation).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                       .FirstOrDefault(a => a.Key == "BundledLibTorchVersion")?.Value ?? "unknown";
        }
        var parent = Path.GetDirectoryName(dir)!;
        var buildVersion = Path.Combine(parent, "build-version"); // libtorch zip
        if (File.Exists(buildVersion))
        {
            return File.ReadAllText(buildVersion).Trim();
        }
        var versionPy = Path.Combine(parent, "version.py"); // PyTorch package
        if (File.Exists(versionPy) && VersionLine().Match(File.ReadAllText(versionPy)) is { Success: true } m)
        {
            return m.Groups[1].Value;
        }
        return "unknown";
    }

    [GeneratedRegex(@"__version__\s*=\s*['""]([^'""]+)['""]")]
    private static partial Regex VersionLine();
}
