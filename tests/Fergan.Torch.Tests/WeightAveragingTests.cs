using System.Runtime.InteropServices;
using System.Text.Json;
using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Tests;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using Fergan.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

/// <summary>Stochastic weight averaging and starting from trained weights (fine-tuning) in the classifier trainer.</summary>
[Collection("Torch")]
public sealed class WeightAveragingTests : IDisposable
{
    private static readonly FaceSet Faces = DatasetLoader.Load("synthetic:700:3:balanced", new DatasetOptions { UseCache = false }).Faces;
    private readonly TempDirectory _temp = new();

    public WeightAveragingTests() => TorchRuntime.Initialize();

    public void Dispose() => _temp.Dispose();

    private static ClassifierOptions Tiny(int epochs, int swaEpochs = 0) => new()
    {
        Architecture = new ClassifierArchitecture(ClassifierKind.Vgg, 4),
        Epochs = epochs,
        SwaEpochs = swaEpochs,
        BatchSize = 32,
        LearningRate = 0.05,
        KeepCheckpoints = 10,
        Seed = 7,
    };

    private ClassifierRunResult Train(ClassifierOptions options, string folder, bool resume = false, IProgress<ClassifierEpoch>? epochs = null, CancellationToken cancel = default)
    {
        using var trainer = new ClassifierTrainer(options, Faces, folder);
        return trainer.Train(resume, "test", epochs, cancellationToken: cancel);
    }

    /// <summary>The trainable weights of a saved model, flattened in parameter order (the optimiser's order).</summary>
    private static float[] Weights(string modelFile)
    {
        using var network = new ClassifierArchitecture(ClassifierKind.Vgg, 4).Create();
        network.load(modelFile);
        using var flat = cat(network.parameters().Select(p => p.detach().flatten()).ToArray());
        return flat.data<float>().ToArray();
    }

    private static string Checkpoint(string run, int epoch) => new ClassifierRunDirectory(run).Checkpoints().Single(c => c.Step == epoch).Folder;

    private static float[] SavedAverage(string run, int epoch) =>
        MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Checkpoint(run, epoch), "average.bin"))).ToArray();

    private static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < tolerance, $"largest difference {worst}");
    }

    [Fact]
    public void The_average_is_the_mean_of_the_averaging_epochs_weights_and_is_kept_only_if_public_test_prefers_it()
    {
        var run = _temp.File("swa");
        var result = Train(Tiny(2, swaEpochs: 2) with { SwaLearningRate = 0.02 }, run);

        Assert.True(result.Completed);
        Assert.Equal(4, result.Epochs);
        // No average before the averaging epochs; after them, the running mean of their weights.
        Assert.False(File.Exists(Path.Combine(Checkpoint(run, 2), "average.bin")));
        var third = Weights(Path.Combine(Checkpoint(run, 3), "model.bin"));
        var fourth = Weights(Path.Combine(Checkpoint(run, 4), "model.bin"));
        AssertClose(third, SavedAverage(run, 3));
        AssertClose(third.Zip(fourth, (a, b) => (a + b) / 2).ToArray(), SavedAverage(run, 4));
        Assert.Equal(2, RunDirectory.ReadState<ClassifierTrainingState>(Checkpoint(run, 4)).AveragedEpochs);

        // The averaging epochs run at the constant rate; the main schedule's cosine reaches zero before them.
        var log = File.ReadAllLines(new ClassifierRunDirectory(run).LogFile).Select(l => JsonSerializer.Deserialize<ClassifierEpoch>(l, RunDirectory.Json)!).ToList();
        Assert.Equal([1, 2, 3, 4], log.Select(e => e.Epoch));
        Assert.Equal(0.02, log[2].LearningRate, 9);

        var average = result.Average!;
        Assert.Equal((3, 4), (average.FirstEpoch, average.LastEpoch));
        Assert.Equal(average, JsonSerializer.Deserialize<WeightAverageScores>(File.ReadAllText(new ClassifierRunDirectory(run).WeightAverageFile), RunDirectory.Json));
        var card = ClassifierCard.Read(run);
        var bestEpoch = log.Max(e => e.ValidationAccuracy);
        Assert.Equal(average.Scores.Accuracy > bestEpoch, average.Selected);
        Assert.Equal(average.Selected ? 3 : null, card.Selection!.AveragedFromEpoch);
        Assert.Equal(Math.Max(bestEpoch, average.Scores.Accuracy), card.Selection.Accuracy, 12);
        if (average.Selected)
        {
            AssertClose(SavedAverage(run, 4), Weights(Path.Combine(run, ClassifierCard.WeightsFile)));
        }
    }

    [Fact]
    public void With_averaging_epochs_the_cosine_decay_ends_at_their_rate_instead_of_zero()
    {
        var log = new List<ClassifierEpoch>();
        Train(Tiny(3, swaEpochs: 1) with { WarmupEpochs = 0, SwaLearningRate = 0.02 }, _temp.File("swa"), epochs: new SyncProgress<ClassifierEpoch>(log.Add));

        // The rate logged with epoch 1 is the one at the first step of epoch 2, a third into the cosine: from 0.05 to
        // 0.02 rather than to 0, 0.02 + 0.03 x (1 + cos(pi/3)) / 2 = 0.0425 (0.0375 if it fell to 0).
        Assert.Equal(0.0425, log[0].LearningRate, 9);
        Assert.Equal([0.02, 0.02], log.Skip(2).Select(e => e.LearningRate));
    }

    [Fact]
    public void A_run_resumed_within_its_averaging_epochs_keeps_the_average_of_the_epochs_before()
    {
        var run = _temp.File("swa");
        using (var cancel = new CancellationTokenSource())
        {
            // Cancel once epoch 2 (the first averaging epoch) is logged: epoch 3 is abandoned mid-way.
            var stopped = Train(Tiny(1, swaEpochs: 3), run, epochs: new SyncProgress<ClassifierEpoch>(e => { if (e.Epoch == 2) cancel.Cancel(); }), cancel: cancel.Token);
            Assert.False(stopped.Completed);
            Assert.Null(stopped.Average);
        }

        var resumed = Train(Tiny(1, swaEpochs: 3), run, resume: true);

        Assert.True(resumed.Completed);
        Assert.Equal(2, resumed.ResumedFrom);
        Assert.Equal((2, 4), (resumed.Average!.FirstEpoch, resumed.Average.LastEpoch));
        var epochs = new[] { 2, 3, 4 }.Select(e => Weights(Path.Combine(Checkpoint(run, e), "model.bin"))).ToList();
        AssertClose(Enumerable.Range(0, epochs[0].Length).Select(i => (epochs[0][i] + epochs[1][i] + epochs[2][i]) / 3).ToArray(), SavedAverage(run, 4));

        // Resuming the finished run again scores the same average and keeps the same model.
        var card = File.ReadAllText(Path.Combine(run, ClassifierCard.CardFile));
        var again = Train(Tiny(1, swaEpochs: 3), run, resume: true);
        Assert.Equal(resumed.Average.Scores.Accuracy, again.Average!.Scores.Accuracy, 6);
        Assert.Equal(resumed.Average.Selected, again.Average.Selected);
        Assert.Equal(card, File.ReadAllText(Path.Combine(run, ClassifierCard.CardFile)));
    }

    [Fact]
    public void A_run_from_trained_weights_starts_selection_from_their_score_and_refuses_another_architecture()
    {
        var first = _temp.File("first");
        Train(Tiny(2), first);
        var firstCard = ClassifierCard.Read(first);

        var tuned = _temp.File("tuned");
        // An averaging epoch at a rate too small to move the weights: what it trains is what it started from.
        var result = Train(Tiny(0, swaEpochs: 1) with { InitialWeights = first, SwaLearningRate = 1e-7 }, tuned);

        Assert.True(result.Completed);
        AssertClose(Weights(Path.Combine(first, ClassifierCard.WeightsFile)), Weights(Path.Combine(Checkpoint(tuned, 1), "model.bin")), 1e-4);
        Assert.Contains($"fine-tuned from {first}", ClassifierCard.Read(tuned).Data);
        // Epoch 0 is those weights scored on the same PublicTest faces: the first run's selected score. The unmoved
        // epoch 1 cannot beat it; only the average, with its batch-norm statistics measured again, might.
        var selection = ClassifierCard.Read(tuned).Selection!;
        var average = result.Average!;
        Assert.Equal(average.Scores.Accuracy > firstCard.Selection!.Accuracy, average.Selected);
        Assert.Equal(average.Selected ? 1 : 0, selection.Epoch);
        Assert.Equal(average.Selected ? average.Scores.Accuracy : firstCard.Selection.Accuracy, selection.Accuracy, 12);

        var wider = Assert.Throws<FerganException>(() => Train(Tiny(1) with { Architecture = new ClassifierArchitecture(ClassifierKind.Vgg, 8), InitialWeights = first }, _temp.File("wider")));
        Assert.Contains("holds a vgg-4 classifier; this run trains a vgg-8", wider.Message);
        var notAModel = Assert.Throws<FerganException>(() => Train(Tiny(1) with { InitialWeights = _temp.File("nothing") }, _temp.File("none")));
        Assert.Contains("nothing", notAModel.Message);
    }

    [Fact]
    public void Options_refuse_averaging_with_early_stopping_and_a_run_of_no_epochs()
    {
        Assert.Contains((Tiny(2, swaEpochs: 2) with { EarlyStoppingPatience = 3 }).Validate(), p => p.Contains("early stopping"));
        Assert.Contains(Tiny(0).Validate(), p => p.Contains("at least one epoch"));
        Assert.Contains((Tiny(2) with { SwaLearningRate = 0.01 }).Validate(), p => p.Contains("needs averaging epochs"));
        Assert.Empty(Tiny(0, swaEpochs: 1).Validate());
        Assert.Equal(0.01, Tiny(1, 1).ResolvedSwaLearningRate, 12);
    }

    [Fact]
    public void Recomputed_batch_norm_statistics_are_the_plain_mean_over_the_batches()
    {
        manual_seed(3);
        var batches = Enumerable.Range(0, 3).Select(i => randn(16, 5).mul(i + 1).add(i)).ToList();
        var norm = new Layers.BatchNorm(5);
        using var network = nn.Sequential(norm);

        WeightAverage.RecomputeBatchNorm(network, batches.Select(b => b.clone()));

        var state = norm.state_dict();
        var expectedMean = stack(batches.Select(b => b.mean([0])).ToArray()).mean([0]);
        var expectedVariance = stack(batches.Select(b => b.var(0, unbiased: true)).ToArray()).mean([0]);
        Assert.True(state["running_mean"].allclose(expectedMean, rtol: 1e-4, atol: 1e-5));
        Assert.True(state["running_var"].allclose(expectedVariance, rtol: 1e-4, atol: 1e-5));
        Assert.False(network.training);
        Assert.Equal(Layers.BatchNorm.Momentum, norm.RunningMomentum);
    }
}
