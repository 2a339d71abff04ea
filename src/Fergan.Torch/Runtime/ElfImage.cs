using System.Buffers.Binary;
using System.Text;

namespace Fergan.Torch.Runtime;

/// <summary>
/// Just enough of a 64-bit little-endian ELF shared library to reason about symbol versioning:
/// the dynamic symbols, their version indices, the versions needed from each dependency (and where
/// those records sit in the file), the versions the library defines, and which symbols relocations use.
/// </summary>
internal sealed class ElfImage
{
    private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

    private readonly byte[] _bytes;
    private readonly List<Section> _sections = [];

    private sealed record Section(uint Type, long Offset, long Size, int Link, long EntrySize);

    /// <summary>A version needed from a dependency (one Vernaux record).</summary>
    /// <param name="RecordOffset">File offset of the Vernaux record, for patching.</param>
    public sealed record NeededVersion(string File, string Name, ushort Index, long RecordOffset);

    public ElfImage(byte[] bytes, string path)
    {
        _bytes = bytes;
        Path = path;
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            throw new FormatException($"{path} is not an ELF file.");
        }
        if (bytes[4] != 2 || bytes[5] != 1)
        {
            throw new FormatException($"{path} is not a 64-bit little-endian ELF file.");
        }
        var shoff = (long)U64(0x28);
        var shentsize = U16(0x3A);
        var shnum = U16(0x3C);
        for (var i = 0; i < shnum; i++)
        {
            var at = shoff + (long)i * shentsize;
            _sections.Add(new Section(U32(at + 4), (long)U64(at + 0x18), (long)U64(at + 0x20), (int)U32(at + 0x28), (long)U64(at + 0x38)));
        }
        DynamicSymbols = ReadDynamicSymbols();
        Needed = ReadNeeded();
        Defined = ReadDefined();
    }

    public string Path { get; }

    /// <summary>Dynamic symbol names with their version index (0 local, 1 global, 2+ a named version).</summary>
    public IReadOnlyList<(string Name, ushort VersionIndex)> DynamicSymbols { get; }

    public IReadOnlyList<NeededVersion> Needed { get; }

    /// <summary>Version names this library defines (e.g. GLIBCXX_3.4.30 for libstdc++).</summary>
    public IReadOnlySet<string> Defined { get; }

    public static ElfImage Load(string path) => new(File.ReadAllBytes(path), path);

    /// <summary>Indices of dynamic symbols referenced by any relocation (REL or RELA against .dynsym).</summary>
    public HashSet<int> RelocatedSymbols()
    {
        var dynsym = _sections.FindIndex(s => s.Type == ShtDynsym);
        var result = new HashSet<int>();
        foreach (var s in _sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsym))
        {
            var entry = s.EntrySize > 0 ? s.EntrySize : s.Type == ShtRela ? 24 : 16;
            for (long at = s.Offset; at + entry <= s.Offset + s.Size; at += entry)
            {
                var symbol = (int)(U64(at + 8) >> 32);
                if (symbol != 0)
                {
                    result.Add(symbol);
                }
            }
        }
        return result;
    }

    /// <summary>Finds a string in the dynamic string table; returns its offset or -1.</summary>
    public long DynamicStringOffset(string text)
    {
        var table = DynamicStringTable();
        var needle = Encoding.ASCII.GetBytes(text + "\0");
        var span = _bytes.AsSpan((int)table.Offset, (int)table.Size);
        for (var start = 0; start < span.Length;)
        {
            var index = span[start..].IndexOf(needle);
            if (index < 0)
            {
                return -1;
            }
            var at = start + index;
            if (at == 0 || span[at - 1] == 0)
            {
                return at; // a whole string, not the tail of a longer one
            }
            start = at + 1;
        }
        return -1;
    }

    /// <summary>The SysV ELF hash that version records carry (vna_hash / vd_hash).</summary>
    public static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (var c in Encoding.ASCII.GetBytes(name))
        {
            h = (h << 4) + c;
            var g = h & 0xf0000000;
            if (g != 0)
            {
                h ^= g >> 24;
            }
            h &= ~g;
        }
        return h;
    }

    private Section DynamicStringTable()
    {
        var dynsym = _sections.FirstOrDefault(s => s.Type == ShtDynsym) ?? throw new FormatException($"{Path} has no dynamic symbol table.");
        return _sections[dynsym.Link];
    }

    private string String(Section table, long offset)
    {
        var start = (int)(table.Offset + offset);
        var end = Array.IndexOf(_bytes, (byte)0, start);
        return Encoding.ASCII.GetString(_bytes, start, end - start);
    }

    private List<(string, ushort)> ReadDynamicSymbols()
    {
        var dynsym = _sections.FirstOrDefault(s => s.Type == ShtDynsym);
        if (dynsym is null)
        {
            return [];
        }
        var strings = _sections[dynsym.Link];
        var versym = _sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        var count = dynsym.Size / 24;
        var result = new List<(string, ushort)>((int)count);
        for (var i = 0; i < count; i++)
        {
            var name = String(strings, U32(dynsym.Offset + i * 24));
            var version = versym is null ? (ushort)1 : (ushort)(U16(versym.Offset + i * 2) & 0x7fff);
            result.Add((name, version));
        }
        return result;
    }

    private List<NeededVersion> ReadNeeded()
    {
        var result = new List<NeededVersion>();
        foreach (var section in _sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strings = _sections[section.Link];
            long at = section.Offset;
            while (true)
            {
                var count = U16(at + 2);
                var file = String(strings, U32(at + 4));
                long aux = at + U32(at + 8);
                for (var k = 0; k < count; k++)
                {
                    result.Add(new NeededVersion(file, String(strings, U32(aux + 8)), U16(aux + 6), aux));
                    var nextAux = U32(aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }
                    aux += nextAux;
                }
                var next = U32(at + 12);
                if (next == 0)
                {
                    break;
                }
                at += next;
            }
        }
        return result;
    }

    private HashSet<string> ReadDefined()
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in _sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strings = _sections[section.Link];
            long at = section.Offset;
            while (true)
            {
                var aux = at + U32(at + 12);
                result.Add(String(strings, U32(aux)));
                var next = U32(at + 16);
                if (next == 0)
                {
                    break;
                }
                at += next;
            }
        }
        return result;
    }

    private ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan((int)at));
    private uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)at));
    private ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan((int)at));
}
