namespace Fergan.Data;

/// <summary>
/// The noise a generator turns into faces when a user asks for faces by seed (`gan sample --seed`, `data synthesize`,
/// the web app's GAN grid, the library APIs). One definition for every runtime, so a seed means the same faces in
/// TorchSharp and in ONNX Runtime: SplitMix64 (a fixed, documented algorithm, unlike .NET's <see cref="Random"/>,
/// whose seeded sequence is not promised across versions, or libtorch's generator, which ONNX Runtime cannot reach)
/// turned into standard normal draws by Box-Muller.
/// </summary>
public static class GeneratorNoise
{
    /// <summary>
    /// Redraws per entry before a truncated draw gives up and clamps; reached only for truncations so small that the
    /// chance of landing inside is below about one in a thousand (t &lt; 0.001).
    /// </summary>
    public const int MaxRedraws = 1000;

    /// <summary>
    /// <paramref name="count"/> rows of <paramref name="size"/> standard normal values, row-major, reproducible from
    /// <paramref name="seed"/>. With a finite <paramref name="truncation"/> t, values beyond ±t are redrawn (the
    /// truncation trick: more typical faces, less variety). A row depends only on the seed and the rows before it, so
    /// the first k rows of a larger request equal a request for k.
    /// </summary>
    public static float[] Draw(int count, int size, int seed, double truncation = double.PositiveInfinity)
    {
        if (count < 1)
        {
            throw new FerganException($"count must be at least 1 (got {count}).");
        }
        if (size < 1)
        {
            throw new FerganException($"the noise size must be at least 1 (got {size}).");
        }
        if (!(truncation > 0))
        {
            throw new FerganException($"truncation must be positive (got {truncation}).");
        }
        var normals = new NormalSource(seed);
        var noise = new float[checked(count * size)];
        for (var i = 0; i < noise.Length; i++)
        {
            var z = normals.Next();
            for (var redraw = 0; Math.Abs(z) > truncation; redraw++)
            {
                z = redraw < MaxRedraws ? normals.Next() : Math.Clamp(z, -truncation, truncation);
            }
            noise[i] = (float)z;
        }
        return noise;
    }

    /// <summary>Standard normal draws: Box-Muller on SplitMix64's uniforms, both values of each pair used.</summary>
    private sealed class NormalSource(int seed)
    {
        // SplitMix64's own seeding: the state starts at the seed. Seeds a step apart (the per-emotion seeds of
        // `data synthesize` and CAS) then start unrelated streams; a state that started at seed x the increment would
        // make seed k + 1's stream seed k's shifted by one draw.
        private ulong _state = unchecked((ulong)(long)seed);
        private double? _spare;

        public double Next()
        {
            if (_spare is { } spare)
            {
                _spare = null;
                return spare;
            }
            var u1 = 1 - Uniform(); // in (0, 1]: the logarithm stays finite
            var u2 = Uniform();
            var radius = Math.Sqrt(-2 * Math.Log(u1));
            _spare = radius * Math.Sin(2 * Math.PI * u2);
            return radius * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>A uniform double in [0, 1) from the top 53 bits of the next SplitMix64 output.</summary>
        private double Uniform() => (NextBits() >> 11) * (1.0 / (1UL << 53));

        private ulong NextBits()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
