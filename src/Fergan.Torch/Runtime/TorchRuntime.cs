using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace Fergan.Torch.Runtime;

/// <summary>
/// Brings up libtorch for TorchSharp, once per process, before any tensor is made.
/// </summary>
/// <remarks>
/// Steps: (1) pick the libtorch folder (--libtorch, $FERGAN_LIBTORCH, or the bundled CPU copy in bin/libtorch);
/// (2) load its libraries by full path, dependencies first, so every later request for them by soname gets
/// these copies, and no other libtorch can be loaded beside them; (3) load TorchSharp's own native library,
/// after retargeting its libstdc++ version needs when the system's libstdc++ is older and that is provably
/// safe (<see cref="LibStdCxxCompatibility"/>), binding every symbol now so a mismatch is a message, not a crash;
/// (4) route TorchSharp's P/Invokes to that handle and let TorchSharp finish its own initialisation.
/// </remarks>
public static class TorchRuntime
{
    private const string LibTorchSharpFile = "libLibTorchSharp.so";
    private static readonly Lock Gate = new();
    private static TorchRuntimeInfo? _info;
    private static IntPtr _libTorchSharp;

    /// <summary>The runtime facts once <see cref="Initialize"/> has succeeded.</summary>
    public static TorchRuntimeInfo? Current => _info;

    public static TorchRuntimeInfo Initialize(TorchRuntimeOptions? options = null)
    {
        options ??= new TorchRuntimeOptions();
        lock (Gate)
        {
            if (_info is null)
            {
                _info = Load(options);
            }
            else if (options.LibTorch is { } requested && Path.GetFullPath(requested) != _info.LibTorchDirectory
                     && Path.Combine(Path.GetFullPath(requested), "lib") != _info.LibTorchDirectory)
            {
                throw new TorchRuntimeException($"libtorch is already loaded from {_info.LibTorchDirectory}; one process cannot switch to {requested}.");
            }
            return SelectDevice(_info, options);
        }
    }

    /// <summary>Maps a device option to a TorchSharp device, checking that it exists.</summary>
    public static torch.Device Device(string device)
    {
        var info = _info ?? throw new InvalidOperationException("TorchRuntime.Initialize must run first.");
        var parsed = ParseDevice(device);
        if (parsed.type == DeviceType.CUDA && !info.CudaAvailable)
        {
            throw new TorchRuntimeException(NoCudaMessage(info.LibTorchDirectory));
        }
        if (parsed.type == DeviceType.CUDA && parsed.index >= info.CudaDevices)
        {
            throw new TorchRuntimeException($"device {device} does not exist: {info.CudaDevices} CUDA device(s) are visible.");
        }
        return parsed;
    }

    private static TorchRuntimeInfo SelectDevice(TorchRuntimeInfo info, TorchRuntimeOptions options)
    {
        var device = Device(options.Device);
        if (device.type == DeviceType.CUDA)
        {
            // TF32 tensor cores for fp32 convolutions and matmuls: PyTorch's own default for cuDNN convolutions,
            // several times faster on Ampere/Hopper, with a 10-bit mantissa that SGD training does not notice.
            torch.backends.cuda.matmul.allow_tf32 = true;
            torch.backends.cudnn.allow_tf32 = true;
        }
        if (options.Threads is { } threads)
        {
            if (threads < 1)
            {
                throw new TorchRuntimeException($"--threads must be at least 1 (got {threads}).");
            }
            torch.set_num_threads(threads);
        }
        return _info = info with { Device = options.Device, Threads = torch.get_num_threads() };
    }

    private static torch.Device ParseDevice(string device)
    {
        var d = device.Trim().ToLowerInvariant();
        if (d == "cpu")
        {
            return torch.CPU;
        }
        if (d == "cuda" || (d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out _)))
        {
            return new torch.Device(d);
        }
        throw new TorchRuntimeException($"device '{device}' is not cpu, cuda or cuda:N.");
    }

    private static TorchRuntimeInfo Load(TorchRuntimeOptions options)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new TorchRuntimeException($"training needs Linux x64 (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}); inference does not need libtorch.");
        }
        var location = LibTorchLocation.Resolve(options.LibTorch);
        var (isa, isaOrigin) = CapOneDnnIsa(options.OneDnnMaxIsa); // before oneDNN can read its environment
        var allocator = GlibcMallocTuning.Apply(options.ReuseLargeBuffers); // before libtorch allocates anything
        foreach (var file in LibTorchLocation.LoadOrder)
        {
            var path = Path.Combine(location.Directory, file);
            if (!File.Exists(path))
            {
                continue;
            }
            if (NativeLinker.Open(path, bindNow: false, out var error) == IntPtr.Zero)
            {
                throw new TorchRuntimeException($"cannot load {path}: {error}");
            }
        }

        var original = FindLibTorchSharp();
        var systemLibStdCxx = NativeLinker.LoadedPath("libstdc++.so.6");
        var systemVersions = systemLibStdCxx is null ? null : ElfImage.Load(systemLibStdCxx).Defined;
        var (libraryPath, fix) = PrepareLibTorchSharp(original, systemVersions, options.CacheDirectory);
        _libTorchSharp = NativeLinker.Open(libraryPath, bindNow: true, out var loadError);
        if (_libTorchSharp == IntPtr.Zero)
        {
            throw new TorchRuntimeException(
                $"cannot load TorchSharp's native library {libraryPath} against libtorch {location.Version} in {location.Directory}: {loadError}. " +
                "TorchSharp 0.107 is built for libtorch 2.10; use a matching libtorch (or the bundled one: drop --libtorch and FERGAN_LIBTORCH).");
        }
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly,
            (name, _, _) => name == "LibTorchSharp" ? _libTorchSharp : IntPtr.Zero);

        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or InvalidOperationException)
        {
            throw new TorchRuntimeException($"TorchSharp could not initialise libtorch from {location.Directory}: {FirstLine(e.Message)}");
        }
        var cuda = location.HasCuda && torch.TryInitializeDeviceType(DeviceType.CUDA);

        return new TorchRuntimeInfo
        {
            TorchSharpVersion = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                                ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            LibTorchVersion = location.Version,
            LibTorchDirectory = location.Directory,
            LibTorchOrigin = location.Origin,
            LibTorchSharpPath = libraryPath,
            SystemLibStdCxx = systemLibStdCxx,
            NewestGlibcxx = systemVersions?.Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal))
                .OrderByDescending(v => Version.TryParse(v["GLIBCXX_".Length..], out var ver) ? ver : new Version()).FirstOrDefault(),
            CompatibilityFix = fix,
            Device = options.Device,
            CudaAvailable = cuda,
            CudaDevices = cuda ? torch.cuda.device_count() : 0,
            Threads = torch.get_num_threads(),
            OneDnnMaxIsa = isa,
            OneDnnMaxIsaOrigin = isaOrigin,
            Allocator = allocator,
        };
    }

    /// <summary>
    /// Returns the library to load: the shipped one when the system satisfies it, else a patched copy in the
    /// cache (rewritten whenever it differs from what the patch produces, so a stale copy cannot linger).
    /// </summary>
    private static (string Path, IReadOnlyList<string>? Fix) PrepareLibTorchSharp(string original, IReadOnlySet<string>? systemVersions, string? cacheDirectory)
    {
        if (systemVersions is null)
        {
            return (original, null); // cannot inspect libstdc++; let the loader speak for itself
        }
        var bytes = File.ReadAllBytes(original);
        var image = new ElfImage(bytes, original);
        var plan = LibStdCxxCompatibility.Analyse(image, new Dictionary<string, IReadOnlySet<string>> { ["libstdc++.so.6"] = systemVersions });
        if (plan.Blocker is { } blocker)
        {
            throw new TorchRuntimeException(
                $"{original} needs {string.Join(", ", plan.Missing.Select(m => m.Name))}, which the system libstdc++ lacks, and Fergan cannot work around it: {blocker} " +
                "Install a newer libstdc++ (GCC 13 or later), or use --libtorch / FERGAN_LIBTORCH with a matching TorchSharp build.");
        }
        if (!plan.NeedsPatch)
        {
            return (original, null);
        }
        var patched = LibStdCxxCompatibility.Apply(bytes, image, plan);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        var dir = Path.Combine(FerganPaths.CacheRoot(cacheDirectory), "native", hash);
        var target = Path.Combine(dir, LibTorchSharpFile);
        try
        {
            if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(patched))
            {
                Directory.CreateDirectory(dir);
                var temp = Path.Combine(dir, $".{LibTorchSharpFile}.{Environment.ProcessId}.tmp");
                File.WriteAllBytes(temp, patched);
                File.Move(temp, target, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TorchRuntimeException($"cannot write the libstdc++-compatible copy of TorchSharp's native library to {dir}: {e.Message}. Set FERGAN_CACHE to a writable folder.");
        }
        return (target, plan.Retargets.Select(r => r.ToString()).ToList());
    }

    private static string FindLibTorchSharp()
    {
        var candidates = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
        {
            candidates.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }
        candidates.Add(AppContext.BaseDirectory);
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"));
        if (Path.GetDirectoryName(typeof(torch).Assembly.Location) is { Length: > 0 } assemblyDir)
        {
            candidates.Add(assemblyDir);
        }
        return candidates.Select(d => Path.Combine(d, LibTorchSharpFile)).FirstOrDefault(File.Exists)
               ?? throw new TorchRuntimeException(
                   $"TorchSharp's native library {LibTorchSharpFile} is not next to the program (looked in {string.Join(", ", candidates.Distinct())}). Rebuild Fergan.");
    }

    private const string OneDnnIsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>Sets oneDNN's instruction-set cap in the native environment, unless the user set one already.</summary>
    private static (string Isa, string Origin) CapOneDnnIsa(string requested)
    {
        if (NativeLinker.GetEnvironment(OneDnnIsaVariable) is { Length: > 0 } existing)
        {
            return (existing, $"{OneDnnIsaVariable} in the environment");
        }
        if (requested.Equals("default", StringComparison.OrdinalIgnoreCase))
        {
            return ("default", "--onednn-isa default");
        }
        // oneDNN reads the process environment with getenv when it first runs, so it must be the native one.
        NativeLinker.SetEnvironment(OneDnnIsaVariable, requested.ToUpperInvariant());
        return (requested.ToUpperInvariant(), requested == TorchRuntimeOptions.DefaultOneDnnMaxIsa ? "Fergan's default" : "--onednn-isa");
    }

    private static string NoCudaMessage(string dir) =>
        File.Exists(Path.Combine(dir, "libtorch_cuda.so"))
            ? $"the libtorch in {dir} has CUDA support but no CUDA device is usable (driver missing or no GPU visible)."
            : $"the libtorch in {dir} is CPU-only. For --device cuda give --libtorch (or FERGAN_LIBTORCH) a CUDA build, e.g. a CUDA PyTorch install's torch/lib.";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
