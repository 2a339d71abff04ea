namespace Fergan.Torch.Runtime;

/// <summary>
/// Makes a native library built against a newer libstdc++ loadable on an older one, when that is provably safe.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13) while Debian 12 and Ubuntu 22.04 ship
/// up to GLIBCXX_3.4.30. The need comes from one symbol, <c>std::ios_base_library_init()</c>, which GCC 13 references
/// only to pull in libstdc++'s stream initialisation; no relocation uses it, so the dynamic linker never binds
/// it, and the version record is the only thing that fails. Retargeting that record (its name and hash) to a
/// version the system has makes the library load, with every real symbol still checked by the linker.
/// The rule is general: a missing version may be retargeted only if no relocation references any symbol of it.
/// </remarks>
internal static class LibStdCxxCompatibility
{
    private const string LibStdCxx = "libstdc++.so.6";

    /// <summary>One version record to point at another version.</summary>
    public sealed record Retarget(ElfImage.NeededVersion Record, string Replacement, IReadOnlyList<string> Symbols)
    {
        public override string ToString() =>
            $"{Record.Name} -> {Replacement} (used only by {string.Join(", ", Symbols)}, which no relocation binds)";
    }

    /// <summary>What a library needs that the system lacks, and whether retargeting can fix it.</summary>
    public sealed record Plan(IReadOnlyList<ElfImage.NeededVersion> Missing, IReadOnlyList<Retarget> Retargets, string? Blocker)
    {
        public bool NeedsPatch => Missing.Count > 0 && Blocker is null;
    }

    /// <param name="library">The library to load.</param>
    /// <param name="systemDefinitions">Version names defined by the system library of each dependency that could be inspected (by soname).</param>
    public static Plan Analyse(ElfImage library, IReadOnlyDictionary<string, IReadOnlySet<string>> systemDefinitions)
    {
        var missing = library.Needed
            .Where(n => systemDefinitions.TryGetValue(n.File, out var defined) && !defined.Contains(n.Name))
            .ToList();
        if (missing.Count == 0)
        {
            return new Plan([], [], null);
        }
        var relocated = library.RelocatedSymbols();
        var retargets = new List<Retarget>();
        foreach (var need in missing)
        {
            if (need.File != LibStdCxx)
            {
                return new Plan(missing, [], $"{need.File} lacks {need.Name}; only libstdc++ versions can be retargeted.");
            }
            var symbols = library.DynamicSymbols
                .Select((s, index) => (s.Name, s.VersionIndex, index))
                .Where(s => s.VersionIndex == need.Index)
                .ToList();
            var bound = symbols.Where(s => relocated.Contains(s.index)).Select(s => s.Name).ToList();
            if (bound.Count > 0)
            {
                return new Plan(missing, [], $"{need.Name} is used by {bound.Count} symbol(s) that relocations bind (e.g. {bound[0]}), so it cannot be retargeted.");
            }
            var replacement = BestReplacement(library, need, systemDefinitions[LibStdCxx]);
            if (replacement is null)
            {
                return new Plan(missing, [], $"no version of the {Family(need.Name)} family that the system defines is named in the library to retarget {need.Name} to.");
            }
            retargets.Add(new Retarget(need, replacement, symbols.Select(s => s.Name).ToList()));
        }
        return new Plan(missing, retargets, null);
    }

    /// <summary>Returns a patched copy of the library bytes.</summary>
    public static byte[] Apply(byte[] original, ElfImage image, Plan plan)
    {
        var bytes = (byte[])original.Clone();
        foreach (var r in plan.Retargets)
        {
            var nameOffset = image.DynamicStringOffset(r.Replacement);
            // Vernaux: vna_hash (u32 @0), vna_flags (u16 @4), vna_other (u16 @6), vna_name (u32 @8), vna_next (u32 @12).
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)r.Record.RecordOffset), ElfImage.ElfHash(r.Replacement));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)r.Record.RecordOffset + 8), (uint)nameOffset);
        }
        return bytes;
    }

    /// <summary>The newest same-family version the system defines whose name is already in the library's string table.</summary>
    private static string? BestReplacement(ElfImage library, ElfImage.NeededVersion need, IReadOnlySet<string> defined)
    {
        var family = Family(need.Name);
        return defined
            .Where(v => Family(v) == family && library.DynamicStringOffset(v) >= 0)
            .OrderByDescending(ParseVersion)
            .FirstOrDefault();
    }

    private static string Family(string version) => version[..(version.IndexOf('_') + 1)];

    private static Version ParseVersion(string name)
    {
        var numbers = name[(name.IndexOf('_') + 1)..].Split('.').Select(p => int.TryParse(p, out var n) ? n : 0).ToList();
        while (numbers.Count < 2)
        {
            numbers.Add(0);
        }
        return new Version(string.Join('.', numbers.Take(4)));
    }
}
