using Fergan.Data;
using Fergan.Data.Export;
using Fergan.Data.ImageFolders;
using Fergan.Data.Imaging;
using Fergan.Data.Loading;
using Fergan.Tests;
using SkiaSharp;

namespace Fergan.Data.Tests;

public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static List<FaceRecord> ReadAll(string root, IngestReport? report = null) =>
        new ImageFolderDataset(root).Read(report ?? new IngestReport()).ToList();

    private static byte[] Png(int width, int height, SKColor colour)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    }

    private static byte[] GrayPng(byte value) => GrayFaceDecoder.EncodePng(Enumerable.Repeat(value, FaceImage.PixelCount).ToArray());

    [Fact]
    public void Round_trips_a_dataset_written_as_split_and_class_folders()
    {
        var drawn = DatasetLoader.Load("synthetic:70:3", new DatasetOptions { UseCache = false }).Faces;
        // Every fifth face marked generated, as `data synthesize` marks its faces: the mark survives the folders too.
        var (pixels, labels, splits, rows, _, soft) = drawn.Columns;
        var faces = new FaceSet(pixels, labels, splits, rows, Enumerable.Range(0, drawn.Count).Select(i => i % 5 == 0).ToArray(), soft, drawn.Provenance);
        var root = _temp.File("faces");
        DatasetWriter.Write(faces, root, overwrite: false);

        var loaded = DatasetLoader.Load(root, new DatasetOptions { UseCache = false }).Faces;

        Assert.Equal(faces.Count, loaded.Count);
        Assert.Equal("source", loaded.Provenance.SplitMethod);
        // Folder order is split, then emotion, then file name; compare as multisets of (split, label, generated, pixels).
        static IEnumerable<string> Keys(FaceSet s) =>
            Enumerable.Range(0, s.Count).Select(i => $"{s.Split(i)}|{s.Label(i)}|{s.IsSynthetic(i)}|{Convert.ToBase64String(s.Pixels(i))}").Order();
        Assert.Equal(Keys(faces), Keys(loaded));
        Assert.Equal(14, Enumerable.Range(0, loaded.Count).Count(loaded.IsSynthetic));
    }

    [Fact]
    public void Reads_the_kaggle_folder_release_as_it_comes_gray_48x48_jpegs_in_train_and_test()
    {
        // Kaggle's folder release of FER2013 is train/ and test/ of gray 48x48 JPEGs (lossy, so the pixels come back
        // close, not equal); a colour JPEG of another size is converted and counted.
        var face = SmoothPictures.Picture(7);
        using var gray = new SKBitmap(new SKImageInfo(FaceImage.Size, FaceImage.Size, SKColorType.Gray8, SKAlphaType.Opaque));
        face.CopyTo(gray.GetPixelSpan());
        using (var image = SKImage.FromBitmap(gray))
        {
            var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 95).ToArray();
            _temp.Write("kaggle/train/happy/im0.jpg", jpeg);
            _temp.Write("kaggle/test/sad/im0.jpg", jpeg);
        }
        using (var colour = new SKBitmap(64, 64))
        {
            colour.Erase(new SKColor(200, 40, 40));
            using var image = SKImage.FromBitmap(colour);
            _temp.Write("kaggle/train/angry/im1.jpg", image.Encode(SKEncodedImageFormat.Jpeg, 95).ToArray());
        }
        var report = new IngestReport();

        var records = ReadAll(_temp.File("kaggle"), report);

        Assert.Equal(3, records.Count);
        var happy = records.Single(r => r.Label == Emotion.Happy);
        Assert.Equal(DataSplit.Training, happy.Split);
        Assert.Equal(DataSplit.PrivateTest, records.Single(r => r.Label == Emotion.Sad).Split);
        var meanError = happy.Pixels.Zip(face, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 2, $"mean JPEG error {meanError:0.00} grey levels");
        Assert.Equal(1, report.Conversions.Values.Max()); // the colour 64x64 image only, each change once
        Assert.All(report.Conversions.Keys, k => Assert.True(k.Contains("gray") || k.Contains("48x48"), k));
    }

    [Fact]
    public void Class_folders_without_splits_get_a_stratified_split()
    {
        foreach (var (name, value) in new[] { ("happy", 200), ("sad", 40) })
        {
            for (var i = 0; i < 10; i++)
            {
                _temp.Write($"flat/{name}/{i}.png", GrayPng((byte)(value + i)));
            }
        }

        var loaded = DatasetLoader.Load(_temp.File("flat"), new DatasetOptions { UseCache = false }).Faces;

        Assert.Equal(20, loaded.Count);
        Assert.StartsWith("stratified 80/10/10", loaded.Provenance.SplitMethod);
        Assert.Equal(8, loaded.IndicesOf(DataSplit.Training).Count(i => loaded.Label(i) == Emotion.Happy));
    }

    /// <summary>
    /// Kaggle's folder release of FER2013 has train/ and test/ only. Selection needs a validation split that is not
    /// the test split, so auto takes a stratified tenth of train/ and leaves test/ alone; source leaves train/ whole.
    /// </summary>
    [Fact]
    public void Train_and_test_folders_get_a_stratified_tenth_of_train_as_validation_and_keep_test_whole()
    {
        foreach (var (split, count) in new[] { ("train", 20), ("test", 5) })
        {
            foreach (var (name, value) in new[] { ("happy", 200), ("sad", 40) })
            {
                for (var i = 0; i < count; i++)
                {
                    _temp.Write($"kaggle/{split}/{name}/{i}.png", GrayPng((byte)(value + i)));
                }
            }
        }
        var root = _temp.File("kaggle");
        DataSplit[] SplitsOf(FaceSet faces) => Enumerable.Range(0, faces.Count).Select(faces.Split).ToArray();

        var auto = DatasetLoader.Load(root, new DatasetOptions { UseCache = false, SplitSeed = 1 }).Faces;
        var again = DatasetLoader.Load(root, new DatasetOptions { UseCache = false, SplitSeed = 1 }).Faces;
        var otherSeed = DatasetLoader.Load(root, new DatasetOptions { UseCache = false, SplitSeed = 2 }).Faces;
        var source = DatasetLoader.Load(root, new DatasetOptions { UseCache = false, Split = SplitMode.Source }).Faces;

        var counts = auto.CountsBySplitAndClass();
        foreach (var emotion in new[] { Emotion.Happy, Emotion.Sad })
        {
            Assert.Equal(18, counts[(int)DataSplit.Training, (int)emotion]);
            Assert.Equal(2, counts[(int)DataSplit.PublicTest, (int)emotion]);
            Assert.Equal(5, counts[(int)DataSplit.PrivateTest, (int)emotion]);
        }
        Assert.Equal("source; PublicTest a stratified 10 % of Training, seed 1", auto.Provenance.SplitMethod);
        // Only Training faces move: every test face is still PrivateTest, in the same rows.
        Assert.Equal(SplitsOf(source).Select(s => s == DataSplit.PrivateTest), SplitsOf(auto).Select(s => s == DataSplit.PrivateTest));
        Assert.Equal(SplitsOf(auto), SplitsOf(again));
        Assert.NotEqual(SplitsOf(auto), SplitsOf(otherSeed));
        Assert.DoesNotContain(DataSplit.PublicTest, SplitsOf(source));
    }

    [Fact]
    public void Colour_and_other_sizes_are_converted_to_48x48_gray_and_reported()
    {
        _temp.Write("d/train/happy/red.png", Png(64, 64, new SKColor(255, 0, 0)));
        _temp.Write("d/train/happy/wide.png", Png(96, 48, new SKColor(0, 0, 255)));
        _temp.Write("d/train/sad/ok.png", GrayPng(90));
        var report = new IngestReport();

        var records = ReadAll(_temp.File("d"), report);

        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(FaceImage.PixelCount, r.Pixels.Length));
        Assert.Equal(76, records[0].Pixels[1000]); // BT.601 luma of pure red: 0.299 * 255
        Assert.Equal(29, records[1].Pixels[0]);    // pure blue: 0.114 * 255
        Assert.Equal(90, records[2].Pixels[5]);
        Assert.Equal(2, report.Conversions["colour to gray"]);
        Assert.Equal(1, report.Conversions["resized 64x64 to 48x48"]);
        Assert.Equal(1, report.Conversions["centre-cropped 96x48 to square"]);
        Assert.False(report.Conversions.ContainsKey("resized 48x48 to 48x48"));
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "notes.txt", "hello"u8.ToArray(), "not an image file" },
        { "empty.png", [], "the file is empty (0 bytes)" },
        { "garbage.png", Enumerable.Range(0, 300).Select(i => (byte)(i * 37)).ToArray(), "not a readable image" },
        { "cut.png", GrayPng(3)[..60], "truncated" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void An_unreadable_or_non_image_file_is_an_error_naming_it(string name, byte[] bytes, string expected)
    {
        _temp.Write("d/train/happy/good.png", GrayPng(10));
        var bad = _temp.Write($"d/train/happy/{name}", bytes);

        var error = Assert.Throws<DataFormatException>(() => ReadAll(_temp.File("d")));

        Assert.StartsWith(bad, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void With_skip_bad_an_unreadable_file_is_counted(string name, byte[] bytes, string expected)
    {
        _temp.Write("d/train/happy/good.png", GrayPng(10));
        _temp.Write($"d/train/happy/{name}", bytes);
        var report = new IngestReport(skipBad: true);

        var records = ReadAll(_temp.File("d"), report);

        Assert.Single(records);
        Assert.Equal(1, report.Skipped);
        Assert.Contains(expected, report.SkipExamples[0]);
    }

    [Fact]
    public void Hidden_files_are_ignored_but_counted()
    {
        _temp.Write("d/train/happy/a.png", GrayPng(10));
        _temp.Write("d/train/happy/.DS_Store", "x");
        _temp.Write("d/.hidden/x.png", GrayPng(1));
        var report = new IngestReport();

        Assert.Single(ReadAll(_temp.File("d"), report));
        Assert.Equal(2, report.IgnoredFiles);
    }

    [Fact]
    public void An_unknown_class_folder_is_named_in_the_error()
    {
        _temp.Write("d/train/happy/a.png", GrayPng(10));
        _temp.Write("d/train/contempt/b.png", GrayPng(10));

        var error = Assert.Throws<DataFormatException>(() => ReadAll(_temp.File("d")));

        Assert.Contains("'contempt' is not a class folder name", error.Message);
    }

    [Fact]
    public void A_mix_of_split_and_class_folders_is_an_error()
    {
        _temp.Write("d/train/happy/a.png", GrayPng(10));
        _temp.Write("d/sad/b.png", GrayPng(10));

        var error = Assert.Throws<DataFormatException>(() => ReadAll(_temp.File("d")));

        Assert.Contains("'sad' is not a split folder name", error.Message);
    }

    [Fact]
    public void Missing_and_empty_folders_are_explained()
    {
        Assert.Contains("does not exist", Assert.Throws<DataFormatException>(() => ReadAll(_temp.File("nope"))).Message);
        Directory.CreateDirectory(_temp.File("empty"));
        Assert.Contains("no class or split folders", Assert.Throws<DataFormatException>(() => ReadAll(_temp.File("empty"))).Message);
        Directory.CreateDirectory(_temp.File("hollow/train/happy"));
        Assert.Contains("no image files found", Assert.Throws<DataFormatException>(() => ReadAll(_temp.File("hollow"))).Message);
    }
}
