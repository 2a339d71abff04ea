using System.Buffers.Binary;

namespace Fergan.Tests;

/// <summary>Hand-made PNG edge cases (no image library needed).</summary>
public static class PngFixtures
{
    /// <summary>
    /// Rewrites a PNG's IHDR width and height and the chunk's CRC, so the header stays valid: a small file that
    /// claims a huge image (a decompression bomb) for testing that the size is refused before decoding.
    /// </summary>
    public static byte[] WithClaimedSize(byte[] png, int width, int height)
    {
        var bytes = (byte[])png.Clone();
        const int ihdrData = 16; // 8-byte signature, 4-byte length, 4-byte "IHDR"
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(ihdrData), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(ihdrData + 4), height);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(ihdrData + 13), Crc32(bytes.AsSpan(12, 4 + 13))); // over "IHDR" and its 13 data bytes
        return bytes;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
