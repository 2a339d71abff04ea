using Fergan.Torch.Runtime;

namespace Fergan.Torch.Tests;

[Collection("Torch")]
public sealed class TorchRuntimeTests
{
    [Fact]
    public void The_bundled_libtorch_loads_and_trains_with_the_fix_applied_exactly_when_needed()
    {
        var info = TorchRuntime.Initialize();

        Assert.Equal("bundled", info.LibTorchOrigin);
        Assert.Equal("2.10.0", info.LibTorchVersion);
        Assert.Equal("0.107.0", info.TorchSharpVersion);
        var systemHas32 = info.SystemLibStdCxx is { } path && ElfImage.Load(path).Defined.Contains("GLIBCXX_3.4.32");
        Assert.Equal(!systemHas32, info.CompatibilityFix is not null);
        var selfTest = RuntimeSelfTest.Run();
        Assert.True(selfTest.Resumes, selfTest.ResumeProblem); // a checkpoint saved halfway replays the second half
        Assert.True(selfTest.Passed);
    }

    [Fact]
    public void Asking_for_cuda_on_a_cpu_only_libtorch_says_what_to_do()
    {
        TorchRuntime.Initialize();

        var error = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Device("cuda"));

        Assert.Contains("CPU-only", error.Message);
        Assert.Contains("--libtorch", error.Message);
    }

    [Fact]
    public void An_unknown_device_is_rejected()
    {
        TorchRuntime.Initialize();

        Assert.Contains("not cpu, cuda or cuda:N", Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Device("gpu")).Message);
    }

    [Fact]
    public void A_libtorch_folder_without_libraries_lists_what_is_missing()
    {
        var empty = Directory.CreateTempSubdirectory("fergan-libtorch-").FullName;
        try
        {
            var error = Assert.Throws<TorchRuntimeException>(() => LibTorchLocation.Resolve(empty));

            Assert.Contains("lacks libc10.so, libtorch_cpu.so, libtorch.so", error.Message);
            Assert.Contains("torch/lib", error.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void A_pytorch_style_folder_is_accepted_at_its_root_and_its_version_read()
    {
        var root = Directory.CreateTempSubdirectory("fergan-torch-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "lib"));
            foreach (var lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            {
                File.WriteAllText(Path.Combine(root, "lib", lib), "");
            }
            File.WriteAllText(Path.Combine(root, "version.py"), "__version__ = '2.10.0+cu128'\n");

            var location = LibTorchLocation.Resolve(root);

            Assert.Equal(Path.Combine(root, "lib"), location.Directory);
            Assert.Equal("2.10.0+cu128", location.Version);
            Assert.Equal("--libtorch", location.Origin);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
