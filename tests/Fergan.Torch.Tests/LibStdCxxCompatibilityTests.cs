using Fergan.Torch.Runtime;

namespace Fergan.Torch.Tests;

/// <summary>The libstdc++ retargeting, on the real libLibTorchSharp.so that TorchSharp 0.107 ships.</summary>
public sealed class LibStdCxxCompatibilityTests
{
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    /// <summary>Version names of a libstdc++ as old as Debian 12's (GCC 12): up to GLIBCXX_3.4.30 and CXXABI_1.3.13.</summary>
    private static IReadOnlySet<string> LibStdCxxUpTo(int glibcxx) =>
        Enumerable.Range(0, glibcxx + 1).Select(i => i == 0 ? "GLIBCXX_3.4" : $"GLIBCXX_3.4.{i}")
            .Concat(Enumerable.Range(0, 14).Select(i => i == 0 ? "CXXABI_1.3" : $"CXXABI_1.3.{i}"))
            .ToHashSet();

    private static Dictionary<string, IReadOnlySet<string>> System(int glibcxx) => new() { ["libstdc++.so.6"] = LibStdCxxUpTo(glibcxx) };

    [Fact]
    public void The_shipped_library_needs_glibcxx_3_4_32()
    {
        var image = ElfImage.Load(Shipped);

        Assert.Contains(image.Needed, n => n.File == "libstdc++.so.6" && n.Name == "GLIBCXX_3.4.32");
    }

    [Fact]
    public void On_a_gcc12_libstdcxx_the_one_unbound_symbol_version_is_retargeted_to_3_4_30()
    {
        var image = ElfImage.Load(Shipped);

        var plan = LibStdCxxCompatibility.Analyse(image, System(30));

        Assert.Null(plan.Blocker);
        Assert.True(plan.NeedsPatch);
        var retarget = Assert.Single(plan.Retargets);
        Assert.Equal("GLIBCXX_3.4.32", retarget.Record.Name);
        Assert.Equal("GLIBCXX_3.4.30", retarget.Replacement);
        Assert.Equal(["_ZSt21ios_base_library_initv"], retarget.Symbols);
    }

    [Fact]
    public void The_patch_changes_only_that_record_and_the_result_needs_nothing_missing()
    {
        var bytes = File.ReadAllBytes(Shipped);
        var image = new ElfImage(bytes, Shipped);
        var plan = LibStdCxxCompatibility.Analyse(image, System(30));

        var patched = LibStdCxxCompatibility.Apply(bytes, image, plan);

        var changed = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] != patched[i]).ToList();
        Assert.InRange(changed.Count, 1, 8);
        Assert.All(changed, i => Assert.InRange(i, plan.Retargets[0].Record.RecordOffset, plan.Retargets[0].Record.RecordOffset + 11));
        var reread = new ElfImage(patched, "patched");
        Assert.DoesNotContain(reread.Needed, n => n.Name == "GLIBCXX_3.4.32");
        Assert.False(LibStdCxxCompatibility.Analyse(reread, System(30)).NeedsPatch);
    }

    [Fact]
    public void Nothing_is_patched_when_the_system_has_the_version()
    {
        var plan = LibStdCxxCompatibility.Analyse(ElfImage.Load(Shipped), System(33));

        Assert.Empty(plan.Missing);
        Assert.False(plan.NeedsPatch);
    }

    [Fact]
    public void A_missing_version_that_relocations_use_is_refused_with_the_reason()
    {
        var plan = LibStdCxxCompatibility.Analyse(ElfImage.Load(Shipped), System(29));

        Assert.False(plan.NeedsPatch);
        Assert.Contains("relocations bind", plan.Blocker);
    }

    [Fact]
    public void The_elf_hash_matches_the_well_known_value() =>
        Assert.Equal(0x08922974u, ElfImage.ElfHash("GLIBCXX_3.4"));

    [Fact]
    public void A_non_elf_file_is_rejected() =>
        Assert.Throws<FormatException>(() => new ElfImage("not an elf file at all, but long enough to have a header......"u8.ToArray(), "x"));
}
