using Fergan.Data;
using Fergan.Data.FerPlus;
using Fergan.Data.Loading;
using Fergan.Tests;

namespace Fergan.Data.Tests;

public sealed class FerPlusVotesTests : IDisposable
{
    private const string Header = "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    //                        neu hap sur sad ang dis fea con unk NF
    [Theory]
    [InlineData(new byte[] { 0, 8, 1, 0, 0, 0, 0, 0, 1, 0 }, Emotion.Happy)]
    [InlineData(new byte[] { 1, 0, 0, 0, 2, 7, 0, 0, 0, 0 }, Emotion.Disgust)]
    [InlineData(new byte[] { 4, 0, 0, 1, 3, 2, 0, 0, 0, 0 }, Emotion.Neutral)]
    [InlineData(new byte[] { 4, 4, 0, 0, 0, 0, 0, 0, 2, 0 }, null)]          // tie: dropped
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 10 }, null)]         // not a face
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 6, 2, 0 }, null)]          // contempt has no FER2013 class
    public void Majority_takes_clear_winners_only(byte[] votes, Emotion? expected) =>
        Assert.Equal(expected, FerPlusVotes.Label(votes, FerPlusMode.Majority));

    [Fact]
    public void Probability_keeps_ties_as_soft_labels_over_the_seven_emotions()
    {
        byte[] votes = [4, 4, 0, 0, 0, 0, 0, 0, 2, 0];

        Assert.Equal(Emotion.Happy, FerPlusVotes.Label(votes, FerPlusMode.Probability)); // lowest FER2013 index wins a tie
        var shares = FerPlusVotes.Shares(votes);
        Assert.Equal(0.5f, shares[(int)Emotion.Happy]);
        Assert.Equal(0.5f, shares[(int)Emotion.Neutral]);
        Assert.Equal(1f, shares.Sum(), 5);
    }

    [Fact]
    public void Relabels_a_fer2013_csv_by_row_position_and_counts_dropped_faces()
    {
        var csv = _temp.Write("fer.csv", CsvFixture.Valid());
        var votes = _temp.Write("votes.csv", string.Join("\n",
            Header,
            "Training,fer0.png,0,9,0,0,1,0,0,0,0,0",
            "PublicTest,,0,0,0,0,0,0,0,0,0,10",
            "PrivateTest,fer2.png,0,0,0,7,3,0,0,0,0,0") + "\n");

        var faces = DatasetLoader.Load(csv, new DatasetOptions { FerPlus = votes, FerPlusMode = FerPlusMode.Probability, UseCache = false }).Faces;

        Assert.Equal(2, faces.Count);
        Assert.Equal([Emotion.Happy, Emotion.Sad], faces.Labels);
        Assert.Equal([DataSplit.Training, DataSplit.PrivateTest], faces.Splits);
        Assert.Equal(0.7f, faces.SoftLabel(1)[(int)Emotion.Sad], 5);
        Assert.Equal("ferplus-probability", faces.Provenance.LabelSource);
        Assert.Contains("1 faces dropped", Assert.Single(faces.Provenance.Operations));
    }

    [Fact]
    public void A_vote_file_with_other_columns_is_rejected()
    {
        var votes = _temp.Write("votes.csv", "Usage,Image name,a,b\nTraining,x,1,2\n");

        var error = Assert.Throws<DataFormatException>(() => FerPlusVotes.Load(votes));

        Assert.Contains("line 1", error.Message);
    }

    [Fact]
    public void A_bad_vote_is_an_error_naming_line_and_column()
    {
        var votes = _temp.Write("votes.csv", $"{Header}\nTraining,x,0,9,0,0,1,zz,0,0,0,0\n");

        var error = Assert.Throws<DataFormatException>(() => FerPlusVotes.Load(votes));

        Assert.Contains("line 2: vote count 'zz' in column disgust", error.Message);
    }

    [Fact]
    public void Votes_only_join_fer2013_csv_sources()
    {
        var votes = _temp.Write("votes.csv", $"{Header}\nTraining,x,0,9,0,0,1,0,0,0,0,0\n");

        var error = Assert.Throws<FerganException>(() =>
            DatasetLoader.Load("synthetic:20", new DatasetOptions { FerPlus = votes, UseCache = false }));

        Assert.Contains("join fer2013.csv rows by position", error.Message);
    }
}
