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
    /// Chosen on FER2013 by eye (`fergan data duplicates --grid`; README "Duplicates of Training faces in the test
    /// splits"): the 15 test faces least correlated with their nearest Training face at or above 0.925 are all the
    /// same picture as it, while about one in five just below it and half at 0.90 are another person in a similar pose.
    /// </summary>
    public const double DefaultMinCorrelation = 0.925;
}

/// <summary>
/// Finds, for faces of the test splits, the most similar Training face, so evaluation can leave out test faces that
/// are the same picture as a Training face but not byte-identical (re-encoded, brightened, mirrored), which exact
/// duplicate detection (<see cref="DuplicateReport"/>) misses. Brute force over all pairs on a coarse 12x12 copy of
/// every face, then the full 48x48 correlation at every shift for the pairs that come near: FER2013's 7,178 test
/// faces against its 28,709 Training faces, mirror images included, take about two minutes on 2 cores.
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
        ShiftedMatch Compare(int q, int t, bool mirrored) =>
            ShiftedCorrelation(queryPixels(q), trainingPixels(t), mirrored, options.MaxShift);

        var results = new NearestTrainingFace[queryCount];
        Parallel.For(0, queryCount, new ParallelOptions { CancellationToken = cancellationToken }, q =>
        {
            var id = queryId(q);
            var best = new NearestTrainingFace(id, -1, 0, false);
            var coarse = queryCoarse.AsSpan(q * CoarseLength, CoarseLength);
            if (IsFlat(coarse))
            {
                results[q] = best;
                return;
            }
            // The coarse nearest, for faces with no pair near enough to compare at full size.
            (int Index, float Value, bool Mirrored) coarseNearest = (-1, float.NegativeInfinity, false);
            for (var t = 0; t < training.Length; t++)
            {
                if (excludeSelf && training[t] == id)
                {
                    continue;
                }
                for (var mirror = 0; mirror < (trainingMirrorCoarse is null ? 1 : 2); mirror++)
                {
                    var c = Dot(coarse, (mirror == 0 ? trainingCoarse : trainingMirrorCoarse!).AsSpan(t * CoarseLength, CoarseLength));
                    if (c > coarseNearest.Value)
                    {
                        coarseNearest = (t, c, mirror == 1);
                    }
                    if (c < coarseCut)
                    {
                        continue;
                    }
                    var match = Compare(q, t, mirror == 1);
                    if (best.Training < 0 || match.R > best.Correlation)
                    {
                        best = new NearestTrainingFace(id, training[t], match.R, mirror == 1, match.Dx, match.Dy);
                    }
                }
            }
            if (best.Training < 0 && coarseNearest.Index >= 0)
            {
                var (t, _, mirrored) = coarseNearest;
                var match = Compare(q, t, mirrored);
                best = new NearestTrainingFace(id, training[t], match.R, mirrored, match.Dx, match.Dy);
            }
            results[q] = best;
        });
        return results;
    }

    private readonly record struct ShiftedMatch(double R, int Dx, int Dy);

    /// <summary>
    /// The largest Pearson correlation between face <paramref name="a"/> and face <paramref name="b"/> (mirrored if
    /// asked) moved by up to <paramref name="maxShift"/> pixels each way, over the pixels both cover (at least
    /// 40x40 of 48x48 at the largest shift allowed).
    /// </summary>
    private static ShiftedMatch ShiftedCorrelation(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool mirrored, int maxShift)
    {
        Span<float> x = stackalloc float[FaceImage.PixelCount];
        Span<float> y = stackalloc float[FaceImage.PixelCount];
        for (var row = 0; row < Side; row++)
        {
            for (var col = 0; col < Side; col++)
            {
                x[row * Side + col] = a[row * Side + col];
                y[row * Side + col] = b[row * Side + (mirrored ? Side - 1 - col : col)];
            }
        }
        // Prefix sums of values and squares (one row and column of zeros first), so any window's sums cost four reads.
        const int S = Side + 1;
        Span<double> sumX = stackalloc double[S * S], sumXX = stackalloc double[S * S];
        Span<double> sumY = stackalloc double[S * S], sumYY = stackalloc double[S * S];
        Integrate(x, sumX, sumXX);
        Integrate(y, sumY, sumYY);
        var best = new ShiftedMatch(double.NegativeInfinity, 0, 0);
        for (var dy = -maxShift; dy <= maxShift; dy++)
        {
            for (var dx = -maxShift; dx <= maxShift; dx++)
            {
                // Pixel (r, c) of x meets pixel (r - dy, c - dx) of y.
                int r0 = Math.Max(0, dy), r1 = Side + Math.Min(0, dy), c0 = Math.Max(0, dx), c1 = Side + Math.Min(0, dx);
                int width = c1 - c0, n = (r1 - r0) * width;
                double xy = 0;
                for (var r = r0; r < r1; r++)
                {
                    xy += Dot(x.Slice(r * Side + c0, width), y.Slice((r - dy) * Side + c0 - dx, width));
                }
                double sx = Window(sumX, r0, r1, c0, c1), sxx = Window(sumXX, r0, r1, c0, c1);
                double sy = Window(sumY, r0 - dy, r1 - dy, c0 - dx, c1 - dx), syy = Window(sumYY, r0 - dy, r1 - dy, c0 - dx, c1 - dx);
                var varX = sxx - sx * sx / n;
                var varY = syy - sy * sy / n;
                // Below a tenth of a gray level of spread a window is flat: its correlation would be noise.
                if (varX < 0.01 * n || varY < 0.01 * n)
                {
                    continue;
                }
                var rho = (xy - sx * sy / n) / Math.Sqrt(varX * varY);
                if (rho > best.R)
                {
                    best = new ShiftedMatch(rho, dx, dy);
                }
            }
        }
        return double.IsNegativeInfinity(best.R) ? new ShiftedMatch(0, 0, 0) : best;
    }

    private static void Integrate(ReadOnlySpan<float> image, Span<double> sum, Span<double> squares)
    {
        const int S = Side + 1;
        sum[..S].Clear();
        squares[..S].Clear();
        for (var r = 0; r < Side; r++)
        {
            double rowSum = 0, rowSquares = 0;
            sum[(r + 1) * S] = 0;
            squares[(r + 1) * S] = 0;
            for (var c = 0; c < Side; c++)
            {
                double v = image[r * Side + c];
                rowSum += v;
                rowSquares += v * v;
                sum[(r + 1) * S + c + 1] = sum[r * S + c + 1] + rowSum;
                squares[(r + 1) * S + c + 1] = squares[r * S + c + 1] + rowSquares;
            }
        }
    }

    /// <summary>The sum over rows [r0, r1) and columns [c0, c1) from prefix sums.</summary>
    private static double Window(ReadOnlySpan<double> prefix, int r0, int r1, int c0, int c1)
    {
        const int S = Side + 1;
        return prefix[r1 * S + c1] - prefix[r0 * S + c1] - prefix[r1 * S + c0] + prefix[r0 * S + c0];
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
    public static double Correlation(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int maxShift = 0, bool mirrored = false) =>
        ShiftedCorrelation(a, b, mirrored, maxShift).R;

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
