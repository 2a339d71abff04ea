using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Tests;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Evaluation;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Soups;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

/// <summary>
/// The ingredients every soup test shares, trained once: a small vgg that learns the synthetic emotions, two
/// fine-tunes of it (their last epochs, which selection did not keep), and a network that shares no basin with them
/// (untrained, its weights scaled up fifty-fold so that it dominates any mean it joins: an untrained network of the
/// usual scale, a quarter of a soup, cost the synthetic task nothing once the statistics were measured again).
/// </summary>
public sealed class SoupIngredientsFixture : IDisposable
{
    public static readonly FaceSet Faces = DatasetLoader.Load("synthetic:1400:11", new DatasetOptions { UseCache = false }).Faces;
    private readonly TempDirectory _temp = new();

    public SoupIngredientsFixture()
    {
        TorchRuntime.Initialize();
        var options = new ClassifierOptions
        {
            Architecture = Architecture, Epochs = 6, BatchSize = 32, LearningRate = 0.05, Augment = ClassifierAugment.Off, Seed = 1,
        };
        Base = _temp.File("base");
        using (var trainer = new ClassifierTrainer(options, Faces, Base))
        {
            trainer.Train(false);
        }
        FineTunes = new[] { 2, 3 }.Select(seed =>
        {
            var run = _temp.File($"fine-tune-{seed}");
            using (var trainer = new ClassifierTrainer(options with { Epochs = 2, LearningRate = 0.02, InitialWeights = Base, Seed = seed }, Faces, run))
            {
                trainer.Train(false);
            }
            var last = _temp.File($"fine-tune-{seed}-epoch-2");
            CheckpointExport.Export(run, 2, last);
            return last;
        }).ToArray();
        Untrained = _temp.File("untrained");
        Directory.CreateDirectory(Untrained);
        manual_seed(99);
        using var network = Architecture.Create();
        using (no_grad())
        {
            foreach (var parameter in network.parameters())
            {
                parameter.mul_(50);
            }
        }
        network.save(Path.Combine(Untrained, ClassifierCard.WeightsFile));
        new ClassifierCard { Architecture = Architecture, Classes = Emotions.Names }.Write(Untrained);
    }

    public static ClassifierArchitecture Architecture => new(ClassifierKind.Vgg, 8);
    public string Base { get; }
    public string[] FineTunes { get; }
    public string Untrained { get; }

    public void Dispose() => _temp.Dispose();
}

/// <summary>Model soups (`fergan soup`): weights averaged, batch-norm statistics measured again, chosen on PublicTest.</summary>
[Collection("Torch")]
public sealed class ClassifierSoupTests(SoupIngredientsFixture ingredients) : IClassFixture<SoupIngredientsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static FaceSet Faces => SoupIngredientsFixture.Faces;

    private SoupResult Cook(SoupRecipe recipe, params string[] models) =>
        ClassifierSoup.Cook(new SoupOptions { Models = models, Recipe = recipe, StatisticsFaces = 512, Seed = 5 }, Faces, _temp.File($"soup-{Guid.NewGuid():N}"), "test");

    /// <summary>The trainable weights of a classifier folder, flattened in parameter order.</summary>
    private static float[] Weights(string folder)
    {
        using var classifier = EmotionClassifier.Load(folder);
        using var flat = cat(classifier.Network.parameters().Select(p => p.detach().flatten()).ToArray());
        return flat.data<float>().ToArray();
    }

    private static float[] Buffers(string folder)
    {
        using var classifier = EmotionClassifier.Load(folder);
        using var flat = cat(classifier.Network.buffers().Where(b => b.is_floating_point()).Select(b => b.detach().flatten()).ToArray());
        return flat.data<float>().ToArray();
    }

    private static double PublicTestAccuracy(string folder)
    {
        using var classifier = EmotionClassifier.Load(folder);
        return ClassifierEvaluator.Evaluate(classifier, Faces, new EvaluationOptions { Split = DataSplit.PublicTest, BootstrapResamples = 10 }).Accuracy;
    }

    private static double LargestDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
    }

    [Fact]
    public void A_uniform_soup_is_the_mean_of_its_ingredients_weights_with_its_own_batch_norm_statistics()
    {
        var models = new[] { ingredients.Base, ingredients.FineTunes[0], ingredients.FineTunes[1] };
        var soup = Cook(SoupRecipe.Uniform, models);

        var weights = models.Select(Weights).ToList();
        var mean = Enumerable.Range(0, weights[0].Length).Select(i => weights.Average(w => w[i])).Select(v => (float)v).ToArray();
        Assert.True(LargestDifference(mean, Weights(soup.Folder)) < 1e-5);
        // The fine-tunes moved away from the base: the mean is not any one of them.
        Assert.All(weights, w => Assert.True(LargestDifference(w, mean) > 1e-4));
        // Statistics measured on Training faces for the mean network, not copied from an ingredient.
        Assert.All(models, m => Assert.True(LargestDifference(Buffers(m), Buffers(soup.Folder)) > 1e-4));

        Assert.True(soup.Record.Ingredients.All(i => i.Kept));
        var trial = Assert.Single(soup.Record.Trials);
        Assert.Equal((null, 3), (trial.Added, trial.Ingredients));
        // The folder holds the network its card's scores describe, and it still reads the synthetic emotions.
        Assert.Equal(soup.Selection.Accuracy, PublicTestAccuracy(soup.Folder), 9);
        Assert.True(soup.Selection.Accuracy > 0.8, $"soup accuracy {soup.Selection.Accuracy:0.000}");
        var card = ClassifierCard.Read(soup.Folder);
        Assert.Equal(SoupRecipe.Uniform, card.Soup!.Recipe);
        Assert.Equal(models.Select(EmotionClassifier.WeightsSha256), card.Soup.Ingredients.Select(i => i.WeightsSha256));
    }

    [Fact]
    public void The_greedy_recipe_ranks_by_public_test_and_leaves_out_a_network_of_another_basin()
    {
        var soup = Cook(SoupRecipe.Greedy, ingredients.Untrained, ingredients.FineTunes[0], ingredients.Base, ingredients.FineTunes[1]);

        var record = soup.Record;
        var untrained = record.Ingredients[0];
        Assert.False(untrained.Kept);
        Assert.True(untrained.Alone.Accuracy < 0.4, $"untrained alone {untrained.Alone.Accuracy:0.000}");
        // Tried in the order of PublicTest accuracy alone, the best one not tried (it starts the soup).
        var ranked = record.Ingredients.OrderByDescending(i => i.Alone.Accuracy).ToList();
        Assert.Equal(ranked.Skip(1).Select(i => i.Folder), record.Trials.Select(t => t.Added));
        // Each trial is kept exactly when it does not fall below the soup before it.
        var current = ranked[0].Alone.Accuracy;
        foreach (var trial in record.Trials)
        {
            Assert.Equal(trial.Scores.Accuracy >= current, trial.Kept);
            current = trial.Kept ? trial.Scores.Accuracy : current;
        }
        Assert.Equal(untrained.Folder, record.Trials[^1].Added);
        Assert.True(record.Trials[^1].Scores.Accuracy < current, "averaging in an untrained network should cost PublicTest accuracy");
        Assert.Equal(current, soup.Selection.Accuracy, 12);

        // The folder holds the kept soup (not the rejected last candidate).
        AssertFolderHoldsTheKeptSoup(soup);
        // Also where the last candidate was kept (the network already holds the soup) or was not: the same checks.
        AssertFolderHoldsTheKeptSoup(Cook(SoupRecipe.Greedy, ingredients.Base, ingredients.FineTunes[0], ingredients.FineTunes[1]));
    }

    /// <summary>A soup's folder holds the mean of its kept ingredients, and scores on PublicTest what its card says.</summary>
    private static void AssertFolderHoldsTheKeptSoup(SoupResult soup)
    {
        var kept = soup.Record.Ingredients.Where(i => i.Kept).Select(i => Weights(i.Folder)).ToList();
        var mean = Enumerable.Range(0, kept[0].Length).Select(i => (float)kept.Average(w => w[i])).ToArray();
        Assert.True(LargestDifference(mean, Weights(soup.Folder)) < 1e-5);
        Assert.Equal(soup.Selection.Accuracy, PublicTestAccuracy(soup.Folder), 9);
    }

    [Fact]
    public void A_weighted_soup_holds_each_ingredient_in_its_share()
    {
        var models = new[] { ingredients.FineTunes[0], ingredients.Base };
        var soup = ClassifierSoup.Cook(new SoupOptions { Models = models, Recipe = SoupRecipe.Weighted, Weights = [3, 1], StatisticsFaces = 512, Seed = 5 },
            Faces, _temp.File("weighted"), "test");

        var (fineTune, start) = (Weights(models[0]), Weights(models[1]));
        var expected = fineTune.Zip(start, (f, b) => 0.75f * f + 0.25f * b).ToArray();
        Assert.True(LargestDifference(expected, Weights(soup.Folder)) < 1e-5);
        // Not the uniform mean: the shares moved it towards the fine-tune.
        var uniform = fineTune.Zip(start, (f, b) => 0.5f * (f + b)).ToArray();
        Assert.True(LargestDifference(uniform, Weights(soup.Folder)) > 1e-4);

        Assert.Equal([0.75, 0.25], soup.Record.Shares!);
        Assert.True(soup.Record.Ingredients.All(i => i.Kept));
        Assert.Equal(soup.Selection.Accuracy, PublicTestAccuracy(soup.Folder), 9);
        var card = ClassifierCard.Read(soup.Folder);
        Assert.Equal(SoupRecipe.Weighted, card.Soup!.Recipe);
        Assert.Equal([0.75, 0.25], card.Soup.Shares!);
        Assert.Contains("in shares 0.75 : 0.25", card.Data);
    }

    [Theory]
    [InlineData(SoupRecipe.Weighted, null, "the weighted recipe needs weights")]
    [InlineData(SoupRecipe.Weighted, new[] { 1.0 }, "give one weight per model (1 weights for 2 models)")]
    [InlineData(SoupRecipe.Weighted, new[] { 1.0, 0.0 }, "weights must be positive numbers (got 1, 0)")]
    [InlineData(SoupRecipe.Weighted, new[] { 1.0, double.NaN }, "weights must be positive numbers")]
    [InlineData(SoupRecipe.Uniform, new[] { 0.7, 0.3 }, "weights go with the weighted recipe only (the uniform recipe weighs its members equally)")]
    public void Weights_that_do_not_fit_the_recipe_or_the_models_are_refused_before_anything_is_loaded(SoupRecipe recipe, double[]? weights, string message)
    {
        var options = new SoupOptions { Models = ["a", "b"], Recipe = recipe, Weights = weights };
        Assert.Contains(options.Validate(), problem => problem.Contains(message));
        var refused = Assert.Throws<FerganException>(() => ClassifierSoup.Cook(options, Faces, _temp.File("refused")));
        Assert.Contains(message, refused.Message);
        Assert.False(Directory.Exists(_temp.File("refused")));
    }

    [Fact]
    public void When_nothing_joins_the_soup_is_the_best_ingredient_as_it_is()
    {
        var soup = Cook(SoupRecipe.Greedy, ingredients.Untrained, ingredients.Base);

        Assert.Equal([false, true], soup.Record.Ingredients.Select(i => i.Kept));
        Assert.Equal(0, LargestDifference(Weights(ingredients.Base), Weights(soup.Folder)));
        Assert.Equal(0, LargestDifference(Buffers(ingredients.Base), Buffers(soup.Folder)));
        Assert.Equal(soup.Record.Ingredients[1].Alone.Accuracy, soup.Selection.Accuracy, 12);
    }

    [Fact]
    public void Soups_of_one_model_a_missing_folder_other_shapes_or_the_same_weights_twice_are_refused()
    {
        var one = Assert.Throws<FerganException>(() => Cook(SoupRecipe.Greedy, ingredients.Base));
        Assert.Contains("at least two classifiers", one.Message);

        var steps = new List<SoupStep>();
        var missing = Assert.Throws<FerganException>(() => ClassifierSoup.Cook(new SoupOptions { Models = [ingredients.Base, _temp.File("nowhere")] },
            Faces, _temp.File("missing"), progress: new Fergan.Data.Progress.SyncProgress<SoupStep>(steps.Add)));
        Assert.Contains($"model folder {_temp.File("nowhere")} does not exist", missing.Message);
        Assert.Empty(steps); // refused before the first ingredient was scored

        var twice = Assert.Throws<FerganException>(() => Cook(SoupRecipe.Greedy, ingredients.Base, ingredients.Base + "/"));
        Assert.Contains("given 2 times", twice.Message);

        var copy = _temp.File("copy-of-base");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(ingredients.Base, "classifier.*"))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        var same = Assert.Throws<FerganException>(() => Cook(SoupRecipe.Greedy, ingredients.Base, copy));
        Assert.Contains("hold the same weights", same.Message);
        Assert.Contains(copy, same.Message);

        var narrow = _temp.File("narrow");
        Directory.CreateDirectory(narrow);
        var architecture = new ClassifierArchitecture(ClassifierKind.Vgg, 4);
        using (var network = architecture.Create())
        {
            network.save(Path.Combine(narrow, ClassifierCard.WeightsFile));
        }
        new ClassifierCard { Architecture = architecture, Classes = Emotions.Names }.Write(narrow);
        var shape = Assert.Throws<FerganException>(() => Cook(SoupRecipe.Uniform, ingredients.Base, narrow));
        Assert.Contains(narrow, shape.Message);
        Assert.Contains("one architecture", shape.Message);
    }
}
