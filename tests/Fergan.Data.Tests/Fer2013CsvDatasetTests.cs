using System.IO.Compression;
using Fergan.Data;
using Fergan.Data.Fer2013Csv;
using Fergan.Tests;

namespace Fergan.Data.Tests;

public sealed class Fer2013CsvDatasetTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static List<FaceRecord> ReadAll(string path, IngestReport? report = null) =>
        new Fer2013CsvDataset(path).Read(report ?? new IngestReport()).ToList();

    [Fact]
    public void Reads_labels_splits_and_pixels_of_a_plain_csv()
    {
        var path = _temp.Write("fer.csv", CsvFixture.Valid());

        var records = ReadAll(path);

        Assert.Equal([Emotion.Angry, Emotion.Happy, Emotion.Neutral], records.Select(r => r.Label));
        Assert.Equal([DataSplit.Training, DataSplit.PublicTest, DataSplit.PrivateTest], records.Select(r => r.Split!.Value));
        Assert.Equal([0, 1, 2], records.Select(r => r.Row));
        Assert.Equal(1, records[0].Pixels[0]);
        Assert.Equal((2 + 2303) % 256, records[1].Pixels[2303]);
    }

    [Fact]
    public void Reads_gzip_by_content_not_by_name()
    {
        var path = _temp.File("compressed-without-gz-suffix.csv");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gz))
        {
            writer.Write(CsvFixture.Valid());
        }

        Assert.Equal(3, ReadAll(path).Count);
    }

    [Fact]
    public void Accepts_quoted_fields_crlf_and_a_missing_usage_column()
    {
        var path = _temp.Write("noUsage.csv", "emotion,pixels\r\n\"5\",\"" + CsvFixture.Pixels(9) + "\"\r\n");

        var record = Assert.Single(ReadAll(path));

        Assert.Equal(Emotion.Surprise, record.Label);
        Assert.Null(record.Split);
    }

    [Fact]
    public void Reads_the_synthetic_marker_column()
    {
        var path = _temp.Write("marked.csv", CsvFixture.Lines("emotion,pixels,Usage,synthetic",
            CsvFixture.Row(1, "Training") + ",1", CsvFixture.Row(2, "Training") + ",0"));

        Assert.Equal([true, false], ReadAll(path).Select(r => r.Synthetic));
    }

    public static TheoryData<string, string, string> BadRows => new()
    {
        { "truncated line", "0," + CsvFixture.Pixels(0), "line 3: expected 3 comma-separated fields, found 2" },
        { "too few pixels", CsvFixture.Row(0, "Training", pixels: 2303), "line 3: expected 2304 pixel values (48x48), found 2303" },
        { "too many pixels", CsvFixture.Row(0, "Training", pixels: 2305), "found 2305" },
        { "non-numeric pixel", "0," + CsvFixture.Pixels(0, 10) + " abc " + CsvFixture.Pixels(0, 2293) + ",Training", "line 3: pixel 11 is 'abc', not an integer from 0 to 255" },
        { "pixel above 255", "0,256 " + CsvFixture.Pixels(0, 2303) + ",Training", "pixel 1 is '256'" },
        { "negative pixel", "0,-1 " + CsvFixture.Pixels(0, 2303) + ",Training", "pixel 1 is '-1'" },
        { "label 7", CsvFixture.Row(7, "Training"), "line 3: emotion '7' is not a FER2013 label (0-6" },
        { "label not a number", "happy," + CsvFixture.Pixels(0) + ",Training", "emotion 'happy' is not a FER2013 label" },
        { "unknown usage", CsvFixture.Row(0, "Validation"), "line 3: Usage 'Validation' is not one of Training, PublicTest, PrivateTest" },
        { "extra field", CsvFixture.Row(0, "Training") + ",x", "expected 3 comma-separated fields, found 4" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void A_bad_row_is_an_error_naming_file_and_line(string name, string badRow, string expected)
    {
        var path = _temp.Write($"{name.Replace(' ', '-')}.csv", CsvFixture.Lines(CsvFixture.Header, CsvFixture.Row(0, "Training"), badRow, CsvFixture.Row(1, "Training")));

        var error = Assert.Throws<DataFormatException>(() => ReadAll(path));

        Assert.StartsWith(path, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal(3, error.Line);
    }

    [Theory]
    [MemberData(nameof(BadRows))]
    public void With_skip_bad_a_bad_row_is_counted_and_the_rest_kept(string name, string badRow, string expected)
    {
        var path = _temp.Write($"{name.Replace(' ', '-')}.csv", CsvFixture.Lines(CsvFixture.Header, CsvFixture.Row(0, "Training"), badRow, CsvFixture.Row(1, "Training")));
        var report = new IngestReport(skipBad: true);

        var records = ReadAll(path, report);

        Assert.Equal(2, records.Count);
        Assert.Equal([0, 2], records.Select(r => r.Row)); // row numbers keep their source positions (FER+ joins on them)
        Assert.Equal(1, report.Skipped);
        Assert.Contains(expected, Assert.Single(report.SkipExamples));
    }

    [Fact]
    public void A_file_cut_inside_its_last_line_says_it_may_be_truncated()
    {
        var text = CsvFixture.Valid();
        var path = _temp.Write("cut.csv", text[..(text.Length - 500)]);

        var error = Assert.Throws<DataFormatException>(() => ReadAll(path));

        Assert.Contains("line 4", error.Message);
        Assert.Contains("may be truncated", error.Message);
    }

    [Fact]
    public void A_corrupt_gzip_stream_is_an_error_not_a_crash()
    {
        var path = _temp.File("corrupt.csv.gz");
        using (var file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gz))
        {
            writer.Write(CsvFixture.Valid());
        }
        var bytes = File.ReadAllBytes(path);
        for (var i = 20; i < bytes.Length - 10; i += 7)
        {
            bytes[i] ^= 0x5A;
        }
        File.WriteAllBytes(path, bytes);

        var error = Assert.ThrowsAny<DataFormatException>(() => ReadAll(path));

        Assert.StartsWith(path, error.Message);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("emotion,pixels,Usage\n", "has a header but no data rows")]
    [InlineData("label,image\n0,1 2 3\n", "line 1: header 'label,image' lacks the 'emotion' and 'pixels' columns")]
    public void Empty_headerless_or_foreign_files_are_explained(string text, string expected)
    {
        var path = _temp.Write("odd.csv", text);

        var error = Assert.Throws<DataFormatException>(() => ReadAll(path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        var path = _temp.File("absent.csv");

        var error = Assert.Throws<DataFormatException>(() => ReadAll(path));

        Assert.Contains("absent.csv", error.Message);
    }
}
