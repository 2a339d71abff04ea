namespace Fergan.Data.Tests;

public sealed class GeneratorNoiseTests
{
    [Fact]
    public void Draws_are_pinned_to_the_documented_algorithm()
    {
        // SplitMix64 + Box-Muller written independently in Python (arbitrary-precision integers masked to 64 bits;
        // its SplitMix64 gives the published first output for seed 0, 0xe220a8397b1dcdaf), rounded to float32. A change here changes the faces every seed stands for in the CLI, the library and the web app.
        Assert.Equal([-0.71972793f, 0.6811621f, -0.14641924f, -0.89747214f, -1.2243224f], GeneratorNoise.Draw(1, 5, 2013));
        Assert.Equal([1.806896f, -1.1057498f, -0.62971526f], GeneratorNoise.Draw(3, 1, -1));
    }

    [Fact]
    public void A_seed_repeats_its_rows_and_a_larger_request_extends_a_smaller_one()
    {
        var small = GeneratorNoise.Draw(3, 16, seed: 7);
        var large = GeneratorNoise.Draw(10, 16, seed: 7);
        Assert.Equal(small, GeneratorNoise.Draw(3, 16, seed: 7));
        Assert.Equal(small, large.Take(small.Length));
        Assert.NotEqual(small, GeneratorNoise.Draw(3, 16, seed: 8));
    }

    [Fact]
    public void Neighbouring_seeds_draw_streams_that_do_not_overlap()
    {
        // `data synthesize` and CAS seed each emotion with seed + emotion. Seeded badly, such streams can be one
        // stream shifted by a few draws (a state started at seed x the increment makes seed k + 2 repeat seed k's
        // normals two later), so the emotions' faces would share their noise. Any run of three equal values is
        // such an overlap; by chance it would be rarer than one in 10^20.
        var streams = Enumerable.Range(7, Emotions.Count).Select(seed => GeneratorNoise.Draw(1, 2000, seed)).ToArray();
        static IEnumerable<(float, float, float)> Runs(float[] z) => Enumerable.Range(0, z.Length - 2).Select(i => (z[i], z[i + 1], z[i + 2]));
        for (var a = 0; a < streams.Length; a++)
        {
            var runs = Runs(streams[a]).ToHashSet();
            for (var b = a + 1; b < streams.Length; b++)
            {
                Assert.False(Runs(streams[b]).Any(runs.Contains), $"seeds {7 + a} and {7 + b} draw overlapping streams");
            }
        }
    }

    [Fact]
    public void Draws_are_standard_normal()
    {
        var z = GeneratorNoise.Draw(1000, 128, seed: 2013).Select(v => (double)v).ToArray();
        var mean = z.Average();
        var sd = Math.Sqrt(z.Sum(v => (v - mean) * (v - mean)) / (z.Length - 1));
        // 128,000 draws: the mean's standard error is 0.0028, the sd's 0.002.
        Assert.InRange(mean, -0.012, 0.012);
        Assert.InRange(sd, 0.99, 1.01);
        Assert.InRange(z.Count(v => Math.Abs(v) > 1.96) / (double)z.Length, 0.046, 0.054);
    }

    [Fact]
    public void Truncation_redraws_values_beyond_the_limit()
    {
        var z = GeneratorNoise.Draw(200, 128, seed: 3, truncation: 0.5);
        Assert.All(z, v => Assert.InRange(v, -0.5f, 0.5f));
        // Redrawn, not clamped: a clamp would pile a seventh of the draws onto ±0.5 exactly.
        Assert.True(z.Count(v => Math.Abs(v) == 0.5f) < 5);
        Assert.True(z.Count(v => Math.Abs(v) > 0.4f) > z.Length / 10, "the values reach out to the limit");
        Assert.All(GeneratorNoise.Draw(4, 8, seed: 3, truncation: 1e-9), v => Assert.InRange(v, -1e-9f, 1e-9f));
    }

    [Fact]
    public void Bad_requests_are_named()
    {
        Assert.Contains("count", Assert.Throws<FerganException>(() => GeneratorNoise.Draw(0, 8, 1)).Message);
        Assert.Contains("size", Assert.Throws<FerganException>(() => GeneratorNoise.Draw(1, 0, 1)).Message);
        Assert.Contains("truncation", Assert.Throws<FerganException>(() => GeneratorNoise.Draw(1, 8, 1, truncation: 0)).Message);
        Assert.Contains("truncation", Assert.Throws<FerganException>(() => GeneratorNoise.Draw(1, 8, 1, truncation: double.NaN)).Message);
    }
}
