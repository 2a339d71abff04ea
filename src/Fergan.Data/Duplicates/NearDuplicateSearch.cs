using System.Numerics;

namespace Fergan.Data.Duplicates;

/// <summary>
/// A query face's closest Training face: its index, their correlation, whether the Training face is mirrored, and by
/// how many pixels it is shifted against the query face at the best match.
/// </summary>
public readonly record struct NearestTrainingFace(int Query, int Training, double Correlation, bool Mirrored, int ShiftX = 0, int ShiftY = 0);

/// <summary>Settings of <see cref="NearDuplicateSearch"/>.</summary>
public sealed record NearDuplicateOptions
{
    /// <summary>
    /// Faces whose pixels correlate at least this much (Pearson, over the pixels both cover after the best shift of up
    /// to <see cref="MaxShift"/> pixels) count as the same picture. Correlation ignores brightness and contrast, so a
    /// re-encoded, brightened or contrast-stretched copy still matches, and the shift lets a copy cropped a few pixels
    /// off match too.
    /// </summary>
    public double MinCorrelation { get; init; } = DefaultMinCorrelation;

    /// <summary>Largest shift tried, in pixels, in each direction (0: the faces are compared as they lie).</summary>
    public int MaxShift { get; init; } = 3;

    /// <summary>Also compare each face with the mirror image of every Training face (a flipped copy is the same picture).</summary>
    public bool Mirrored { get; init; } = true;

    /// <summary>
    /// Chosen on FER2013 by eye (`fergan data duplicates --grid`; docs/data.md, "Duplicates of Training faces in the test
    /// splits"): the 15 test faces least correlated with their nearest Training face at or above 0.925 are all the
    /// same picture as it, while about one in five just below it and half at 0.90 are another person in a similar pose.
    /// </summary>
    public const double DefaultMinCorrelation = 0.925;
}

/// <summary>
/// Finds, for faces of the test splits, the most similar Training face, so evaluation can leave out test faces that
/// are the same picture as a Training face but not byte-identical (re-encoded, brightened, mirrored), which exact
/// duplicate detection (<see cref="DuplicateReport"/>) misses. Brute force over all pairs on a coarse 12x12 copy of
/// every face, then the full 48x48 correlation at the best shift for the pairs that come near: FER2013's 7,178 test
/// faces against its 28,709 Training faces, mirror images included, take 73 s on 2 cores.
/// </summary>
public static class NearDuplicateSearch
{
    /// <summary>The pixels of picture <c>index</c> of a list (faces of the set, or pictures from elsewhere).</summary>
    private delegate ReadOnlySpan<byte> Pixels(int index);

    private const int Side = FaceImage.Size, CoarseSide = 12, Pool = Side / CoarseSide, CoarseLength = CoarseSide * CoarseSide;

    /// <summary>
    /// How far below the threshold a pair's coarse correlation (unshifted) may fall and still be checked at full size
    /// (with shifts). Averaging 4x4 blocks removes pixel-level differences (noise, compression), but a copy shifted by
    /// a few pixels correlates less in the coarse copy than at its best shift. Measured on FER2013 at 0.925: a margin
    /// of 0.1 missed 4 of 618 PublicTest pairs that a margin of 0.175 finds.
    /// </summary>
    private const double CoarseMargin = 0.15;

    /// <summary>Queries compared with the Training faces together (their coarse vectors stay in cache: 64 x 576 bytes).</summary>
    private const int QueryBlock = 64;

    /// <summary>
    /// For each face in <paramref name="queries"/>, its most correlated Training face (itself excluded), with no
    /// threshold applied. <see cref="NearDuplicateOptions.MinCorrelation"/> only decides which pairs are compared at
    /// full size: a face with no such pair reports its nearest in the coarse copy, with their full-size correlation,
    /// which may not be the largest. Flat faces (one gray level) correlate with nothing and get Training = -1.
    /// </summary>
    public static IReadOnlyList<NearestTrainingFace> NearestInTraining(FaceSet faces, IReadOnlyList<int> queries,
        NearDuplicateOptions? options = null, CancellationToken cancellationToken = default) =>
        Search(faces, queries.Count, q => faces.Pixels(queries[q]), q => queries[q], options, cancellationToken);

    /// <summary>
    /// The same for pictures from outside the set (generated faces, say): Query is the picture's position in
    /// <paramref name="pictures"/>, Training a face index of <paramref name="faces"/>.
    /// </summary>
    public static IReadOnlyList<NearestTrainingFace> NearestInTraining(FaceSet faces, IReadOnlyList<byte[]> pictures,
        NearDuplicateOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (pictures.FirstOrDefault(p => p.Length != FaceImage.PixelCount) is { } wrong)
        {
            throw new FerganException($"a picture to compare has {wrong.Length} pixels, not {FaceImage.PixelCount}.");
        }
        return Search(faces, pictures.Count, q => pictures[q], q => q, options, cancellationToken, excludeSelf: false);
    }

    /// <param name="queryId">What a result's Query holds for query q (and, with <paramref name="excludeSelf"/>, the face index never matched with itself).</param>
    private static NearestTrainingFace[] Search(FaceSet faces, int queryCount, Pixels queryPixels, Func<int, int> queryId,
        NearDuplicateOptions? options, CancellationToken cancellationToken, bool excludeSelf = true)
    {
        options ??= new NearDuplicateOptions();
        if (!(options.MinCorrelation is > -1 and <= 1))
        {
            throw new FerganException($"the near-duplicate correlation must be in (-1, 1] (got {options.MinCorrelation}).");
        }
        if (options.MaxShift is < 0 or > 8)
        {
            throw new FerganException($"the near-duplicate shift must be 0 to 8 pixels (got {options.MaxShift}).");
        }
        var training = faces.IndicesOf(DataSplit.Training);
        var trainingPixels = new Pixels(t => faces.Pixels(training[t]));
        var trainingCoarse = Standardised(training.Length, trainingPixels, mirrored: false);
        var trainingMirrorCoarse = options.Mirrored ? Standardised(training.Length, trainingPixels, mirrored: true) : null;
        var queryCoarse = Standardised(queryCount, queryPixels, mirrored: false);
        var coarseCut = (float)(options.MinCorrelation - CoarseMargin);

        var results = new NearestTrainingFace[queryCount];
        // Queries go in blocks: each Training face's coarse vectors are read from memory once per block, not once
        // per query (the coarse copies of FER2013's Training faces and their mirror images are 33 MB).
        var blocks = (queryCount + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken }, block =>
        {
            var first = block * QueryBlock;
            var count = Math.Min(QueryBlock, queryCount - first);
            var ids = Enumerable.Range(first, count).Select(queryId).ToArray();
            var flat = Enumerable.Range(first, count).Select(q => IsFlat(queryCoarse.AsSpan(q * CoarseLength, CoarseLength))).ToArray();
            // Per query: pairs whose coarse correlation reaches the cut, and the coarse nearest (for a face with none).
            var candidates = Enumerable.Range(0, count).Select(_ => new List<(int T, bool Mirrored)>()).ToArray();
            var nearest = Enumerable.Repeat((T: -1, Coarse: float.NegativeInfinity, Mirrored: false), count).ToArray();
            for (var t = 0; t < training.Length; t++)
            {
                for (var mirror = 0; mirror < (trainingMirrorCoarse is null ? 1 : 2); mirror++)
                {
                    var trainingVector = (mirror == 0 ? trainingCoarse : trainingMirrorCoarse!).AsSpan(t * CoarseLength, CoarseLength);
                    for (var k = 0; k < count; k++)
                    {
                        if (flat[k] || (excludeSelf && training[t] == ids[k]))
                        {
                            continue;
                        }
                        var c = Dot(queryCoarse.AsSpan((first + k) * CoarseLength, CoarseLength), trainingVector);
                        if (c > nearest[k].Coarse)
                        {
                            nearest[k] = (t, c, mirror == 1);
                        }
                        if (c >= coarseCut)
                        {
                            candidates[k].Add((t, mirror == 1));
                        }
                    }
                }
            }
            // The query once, a Training face per pair, in buffers reused for all pairs of the block.
            PreparedFace query = new(), other = new();
            for (var k = 0; k < count; k++)
            {
                var best = new NearestTrainingFace(ids[k], -1, 0, false);
                if (!flat[k])
                {
                    query.Load(queryPixels(first + k), mirrored: false);
                    if (candidates[k].Count == 0 && nearest[k].T >= 0)
                    {
                        candidates[k].Add((nearest[k].T, nearest[k].Mirrored));
                    }
                    foreach (var (t, mirrored) in candidates[k])
                    {
                        other.Load(trainingPixels(t), mirrored);
                        var match = ShiftedCorrelation(query, other, options.MaxShift);
                        if (best.Training < 0 || match.R > best.Correlation)
                        {
                            best = new NearestTrainingFace(ids[k], training[t], match.R, mirrored, match.Dx, match.Dy);
                        }
                    }
                }
                results[first + k] = best;
            }
        });
        return results;
    }

    private readonly record struct ShiftedMatch(double R, int Dx, int Dy);

    /// <summary>A face as floats (mirrored if asked) with prefix sums of its values and squares.</summary>
    private sealed class PreparedFace
    {
        private const int S = Side + 1; // prefix sums have a row and a column of zeros first

        public readonly float[] Pixels = new float[FaceImage.PixelCount];
        private readonly double[] _sum = new double[S * S], _squares = new double[S * S];

        public void Load(ReadOnlySpan<byte> pixels, bool mirrored)
        {
            for (var r = 0; r < Side; r++)
            {
                double rowSum = 0, rowSquares = 0;
                for (var c = 0; c < Side; c++)
                {
                    double v = Pixels[r * Side + c] = pixels[r * Side + (mirrored ? Side - 1 - c : c)];
                    rowSum += v;
                    rowSquares += v * v;
                    _sum[(r + 1) * S + c + 1] = _sum[r * S + c + 1] + rowSum;
                    _squares[(r + 1) * S + c + 1] = _squares[r * S + c + 1] + rowSquares;
                }
            }
        }

        /// <summary>Sum and sum of squares over rows [r0, r1) and columns [c0, c1), four reads each.</summary>
        public (double Sum, double Squares) Window(int r0, int r1, int c0, int c1) => (
            _sum[r1 * S + c1] - _sum[r0 * S + c1] - _sum[r1 * S + c0] + _sum[r0 * S + c0],
            _squares[r1 * S + c1] - _squares[r0 * S + c1] - _squares[r1 * S + c0] + _squares[r0 * S + c0]);
    }

    /// <summary>
    /// The largest Pearson correlation between faces <paramref name="x"/> and <paramref name="y"/>, the second moved
    /// by up to <paramref name="maxShift"/> pixels each way, over the pixels both cover (at least 40x40 of 48x48 at the
    /// largest shift allowed). Coarse to fine: shifts a third of the range apart first, then from the best one a step
    /// at a time to whichever neighbour correlates more, until none does. Correlation changes smoothly with the shift
    /// on faces, so this takes about 20 of the 49 comparisons (measured on FER2013: the same pairs, at the same
    /// correlations, as trying all 49).
    /// </summary>
    private static ShiftedMatch ShiftedCorrelation(PreparedFace x, PreparedFace y, int maxShift)
    {
        var side = 2 * maxShift + 1;
        Span<bool> tried = stackalloc bool[side * side];
        var best = new ShiftedMatch(double.NegativeInfinity, 0, 0);
        void Try(Span<bool> tried, int dx, int dy)
        {
            if (Math.Abs(dx) > maxShift || Math.Abs(dy) > maxShift || tried[(dy + maxShift) * side + dx + maxShift])
            {
                return;
            }
            tried[(dy + maxShift) * side + dx + maxShift] = true;
            var rho = At(x, y, dx, dy);
            if (rho > best.R)
            {
                best = new ShiftedMatch(rho, dx, dy);
            }
        }
        var stride = Math.Max(1, maxShift);
        for (var dy = -maxShift; dy <= maxShift; dy += stride)
        {
            for (var dx = -maxShift; dx <= maxShift; dx += stride)
            {
                Try(tried, dx, dy);
            }
        }
        while (!double.IsNegativeInfinity(best.R))
        {
            var from = best;
            for (var dy = -1; dy <= 1; dy++)
            {
                for (var dx = -1; dx <= 1; dx++)
                {
                    Try(tried, from.Dx + dx, from.Dy + dy);
                }
            }
            if (best == from)
            {
                break;
            }
        }
        return double.IsNegativeInfinity(best.R) ? new ShiftedMatch(0, 0, 0) : best;
    }

    /// <summary>Pearson correlation where pixel (r, c) of x meets pixel (r - dy, c - dx) of y; -infinity when a side is flat.</summary>
    private static double At(PreparedFace x, PreparedFace y, int dx, int dy)
    {
        int r0 = Math.Max(0, dy), r1 = Side + Math.Min(0, dy), c0 = Math.Max(0, dx), c1 = Side + Math.Min(0, dx);
        int width = c1 - c0, n = (r1 - r0) * width;
        double xy = 0;
        for (var r = r0; r < r1; r++)
        {
            xy += Dot(x.Pixels.AsSpan(r * Side + c0, width), y.Pixels.AsSpan((r - dy) * Side + c0 - dx, width));
        }
        var (sx, sxx) = x.Window(r0, r1, c0, c1);
        var (sy, syy) = y.Window(r0 - dy, r1 - dy, c0 - dx, c1 - dx);
        var varX = sxx - sx * sx / n;
        var varY = syy - sy * sy / n;
        // Below a tenth of a gray level of spread a window is flat: its correlation would be noise.
        return varX < 0.01 * n || varY < 0.01 * n ? double.NegativeInfinity : (xy - sx * sy / n) / Math.Sqrt(varX * varY);
    }


    /// <summary>Faces of <paramref name="queries"/> whose nearest Training face correlates at least the threshold.</summary>
    public static IReadOnlyList<NearestTrainingFace> FindInTraining(FaceSet faces, IReadOnlyList<int> queries,
        NearDuplicateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new NearDuplicateOptions();
        return NearestInTraining(faces, queries, options, cancellationToken)
            .Where(m => m.Training >= 0 && m.Correlation >= options.MinCorrelation)
            .ToList();
    }

    /// <summary>
    /// The correlation <see cref="NearestInTraining"/> scores pairs with: Pearson over the pixels both faces cover,
    /// at the best shift of <paramref name="b"/> (mirrored if asked) by up to <paramref name="maxShift"/> pixels each
    /// way; 0 when either face is flat.
    /// </summary>
    public static double Correlation(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int maxShift = 0, bool mirrored = false)
    {
        PreparedFace x = new(), y = new();
        x.Load(a, mirrored: false);
        y.Load(b, mirrored);
        return ShiftedCorrelation(x, y, maxShift).R;
    }

    /// <summary>Each face's 12x12 block means as a zero-mean, unit-length vector (all zeros when flat), concatenated.</summary>
    private static float[] Standardised(int count, Pixels source, bool mirrored)
    {
        var all = new float[count * CoarseLength];
        Parallel.For(0, count, i =>
        {
            var pixels = source(i);
            var target = all.AsSpan(i * CoarseLength, CoarseLength);
            for (var y = 0; y < CoarseSide; y++)
            {
                for (var x = 0; x < CoarseSide; x++)
                {
                    var sum = 0;
                    for (var dy = 0; dy < Pool; dy++)
                    {
                        for (var dx = 0; dx < Pool; dx++)
                        {
                            var sx = x * Pool + dx;
                            sum += pixels[(y * Pool + dy) * Side + (mirrored ? Side - 1 - sx : sx)];
                        }
                    }
                    target[y * CoarseSide + x] = sum;
                }
            }
            Normalise(target);
        });
        return all;
    }

    /// <summary>Subtracts the mean and scales to unit length, in place; a flat vector becomes zeros.</summary>
    private static void Normalise(Span<float> v)
    {
        double mean = 0;
        foreach (var x in v)
        {
            mean += x;
        }
        mean /= v.Length;
        double squares = 0;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(v[i] - mean);
            squares += v[i] * (double)v[i];
        }
        // Below a tenth of a gray level of spread the face is flat: its correlation would be noise.
        var scale = squares > 0.01 * v.Length ? (float)(1 / Math.Sqrt(squares)) : 0f;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] *= scale;
        }
    }

    private static bool IsFlat(ReadOnlySpan<float> v) => !v.ContainsAnyExcept(0f);

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        }
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }
        return total;
    }
}
