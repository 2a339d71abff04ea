using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Tests;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Gan.Training;
using Fergan.Torch.Runtime;

namespace Fergan.Torch.Tests;

[Collection("Torch")]
public sealed class GanTrainerTests : IDisposable
{
    private static readonly FaceSet Faces = DatasetLoader.Load("synthetic:140:1:balanced", new DatasetOptions { UseCache = false }).Faces;
    private readonly TempDirectory _temp = new();

    public GanTrainerTests() => TorchRuntime.Initialize();

    public void Dispose() => _temp.Dispose();

    private static GanOptions Tiny(int steps) => new()
    {
        Architecture = GanArchitecture.ForFer2013(width: 4, latentSize: 16),
        Steps = steps,
        BatchSize = 8,
        LogEvery = 1,
        CheckpointEvery = 2,
        KeepCheckpoints = 3,
    };

    private GanRunResult Train(GanOptions options, bool resume = false, CancellationToken cancel = default, IProgress<GanProgress>? progress = null, string? folder = null,
        FaceSet? data = null)
    {
        using var trainer = new GanTrainer(options, data ?? Faces, folder ?? _temp.Path);
        return trainer.Train(resume, "test", progress, cancel);
    }

    [Fact]
    public void A_run_writes_checkpoints_samples_curves_log_and_a_loadable_generator()
    {
        var result = Train(Tiny(4));

        var run = new GanRunDirectory(_temp.Path);
        Assert.True(result.Completed);
        Assert.Equal([2, 4], run.Checkpoints().Select(c => c.Step));
        Assert.Equal(4, File.ReadAllLines(run.LogFile).Length);
        Assert.True(File.Exists(run.SampleGrid(2)) && File.Exists(run.SampleGrid(4)));
        Assert.True(File.Exists(run.CurvesFile));
        Assert.True(File.Exists(run.OptionsFile));
        using var generator = GanGenerator.Load(_temp.Path);
        Assert.Equal(4, generator.Card.Step);
        var faces = generator.SampleFaces(Emotion.Disgust, 5, seed: 9);
        Assert.Equal(5, faces.Count);
        Assert.All(faces, f => Assert.Equal(FaceImage.PixelCount, f.Length));
        Assert.Equal(faces[0], generator.SampleFaces(Emotion.Disgust, 1, seed: 9)[0]); // reproducible from the seed

        // More faces than one CPU piece: the same faces as one forward pass over the same noise.
        var count = 2 * GanGenerator.CpuPiece + 8;
        var labels = TorchSharp.torch.arange(count, dtype: TorchSharp.torch.ScalarType.Int64).remainder(7);
        using var pieced = generator.Sample(labels, generator: new TorchSharp.torch.Generator(11));
        using var noise = GanGenerator.TruncatedNoise(count, generator.Card.Architecture.LatentSize, double.PositiveInfinity, new TorchSharp.torch.Generator(11));
        using var whole = generator.Model.call(noise, labels);
        Assert.True(pieced.allclose(whole, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void A_half_precision_copy_is_half_the_size_and_draws_the_same_faces_to_a_gray_level()
    {
        Train(Tiny(2));
        using var generator = GanGenerator.Load(_temp.Path);
        var halfFolder = _temp.File("half");

        generator.SaveHalfPrecision(halfFolder);

        using var half = GanGenerator.Load(halfFolder);
        Assert.Equal("float16", half.Card.WeightsPrecision);
        var fullSize = new FileInfo(Path.Combine(_temp.Path, GeneratorCard.WeightsFile)).Length;
        Assert.InRange(new FileInfo(Path.Combine(halfFolder, GeneratorCard.WeightsFile)).Length, fullSize * 0.4, fullSize * 0.6);
        var expected = generator.SampleFaces(Emotion.Fear, 4, seed: 3);
        var actual = half.SampleFaces(Emotion.Fear, 4, seed: 3);
        Assert.All(expected.Zip(actual), pair => Assert.InRange(pair.First.Zip(pair.Second, (a, b) => Math.Abs(a - b)).Max(), 0, 3));
        var card = File.ReadAllText(Path.Combine(halfFolder, GeneratorCard.CardFile)).Replace("\"float16\"", "\"int8\"");
        File.WriteAllText(Path.Combine(halfFolder, GeneratorCard.CardFile), card);
        Assert.Contains("weights precision 'int8'", Assert.Throws<FerganException>(() => GanGenerator.Load(halfFolder)).Message);
    }

    [Fact]
    public void Resume_continues_from_the_newest_checkpoint_and_keeps_the_log_consistent()
    {
        Train(Tiny(4));

        var resumed = Train(Tiny(6), resume: true);

        Assert.Equal(4, resumed.ResumedFrom);
        Assert.Equal(6, resumed.Step);
        var steps = File.ReadAllLines(new GanRunDirectory(_temp.Path).LogFile).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32());
        Assert.Equal([1, 2, 3, 4, 5, 6], steps);
        Assert.Equal([2, 4, 6], new GanRunDirectory(_temp.Path).Checkpoints().Select(c => c.Step));
    }

    /// <summary>
    /// A run stopped by Ctrl+C between checkpoints and resumed must end where the uninterrupted run ends: the same G,
    /// EMA G and D weights (on the CPU, whose generator state the checkpoints keep). Before they kept it, the resumed
    /// run reseeded and went its own way.
    /// </summary>
    [Fact]
    public void A_run_cancelled_between_checkpoints_and_resumed_ends_with_the_uninterrupted_runs_weights()
    {
        var options = Tiny(6) with { CheckpointEvery = 4 };
        var straight = _temp.File("straight");
        var interrupted = _temp.File("interrupted");
        Train(options, folder: straight);
        using var cancel = new CancellationTokenSource();
        Train(options, cancel: cancel.Token, folder: interrupted, progress: new SyncProgress(p =>
        {
            if (p.Step == 3)
            {
                cancel.Cancel();
            }
        }));

        var resumed = Train(options, resume: true, folder: interrupted);

        Assert.Equal(3, resumed.ResumedFrom);
        var last = Path.Combine("checkpoints", "step-000006");
        foreach (var file in new[] { "generator.bin", "generator-ema.bin", "discriminator.bin" })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(straight, last, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(interrupted, last, file))),
                $"{file} differs between the uninterrupted and the resumed run");
        }
    }

    /// <summary>A run killed before its first checkpoint starts again on resume, and its log holds each step once.</summary>
    [Fact]
    public void A_run_killed_before_its_first_checkpoint_resumes_from_nothing_with_a_clean_log()
    {
        Train(Tiny(2));
        var run = new GanRunDirectory(_temp.Path);
        Directory.Delete(run.CheckpointsFolder, recursive: true); // as a kill before the first checkpoint leaves it

        var resumed = Train(Tiny(2), resume: true);

        Assert.Equal((0, 2), (resumed.ResumedFrom, resumed.Step));
        Assert.Equal([1, 2], File.ReadAllLines(run.LogFile).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()));
    }

    [Fact]
    public void Cancelling_saves_a_checkpoint_at_the_step_reached()
    {
        using var cancel = new CancellationTokenSource();
        var options = Tiny(10) with { CheckpointEvery = 4 };

        var result = Train(options, cancel: cancel.Token, progress: new SyncProgress(p =>
        {
            if (p.Step == 3)
            {
                cancel.Cancel();
            }
        }));

        Assert.False(result.Completed);
        Assert.Equal(3, result.Step);
        Assert.Equal(3, new GanRunDirectory(_temp.Path).Checkpoints()[^1].Step);
    }

    [Fact]
    public void A_half_written_checkpoint_is_ignored_and_a_damaged_one_is_reported()
    {
        Train(Tiny(4));
        var run = new GanRunDirectory(_temp.Path);
        Directory.CreateDirectory(Path.Combine(run.CheckpointsFolder, ".tmp-000006-999"));

        Assert.Equal([2, 4], run.Checkpoints().Select(c => c.Step));
        File.WriteAllText(Path.Combine(run.Checkpoints()[^1].Folder, "generator.bin"), "garbage");
        var error = Assert.Throws<FerganException>(() => Train(Tiny(6), resume: true));
        Assert.Contains("step-000004", error.Message);
        Assert.Contains("cannot be loaded: generator.bin is damaged or another network's weights", error.Message);
        Assert.Contains("Delete that folder", error.Message);
        Assert.False(Directory.Exists(Path.Combine(run.CheckpointsFolder, ".tmp-000006-999")));
    }

    [Fact]
    public void Resuming_with_another_architecture_is_refused()
    {
        Train(Tiny(2));

        var error = Assert.Throws<FerganException>(() => Train(Tiny(4) with { Architecture = GanArchitecture.ForFer2013(width: 8, latentSize: 16) }, resume: true));

        Assert.Contains("another architecture", error.Message);
    }

    [Fact]
    public void Resuming_with_another_objective_is_refused_and_names_it_but_rates_and_length_may_change()
    {
        Train(Tiny(2));

        var error = Assert.Throws<FerganException>(() => Train(Tiny(4) with { Augment = Gan.Augment.AugmentPolicy.Translation, DiscriminatorSteps = 1 }, resume: true));
        Assert.Contains("another augmentation None (now Translation), discriminator steps 2 (now 1);", error.Message);
        var resumed = Train(Tiny(4) with { GeneratorLearningRate = 1e-4, DiscriminatorLearningRate = 2e-4, DecayStart = 0.5 }, resume: true);
        Assert.Equal((2, 4), (resumed.ResumedFrom, resumed.Step));
    }

    /// <summary>
    /// The CLI's --data defaults to the bundled synthetic set: a resume that forgets it must not go on training a
    /// FER2013 generator on drawn faces. data.json pins the Training faces' fingerprint.
    /// </summary>
    [Fact]
    public void Resuming_on_other_faces_is_refused_naming_both_datasets()
    {
        Train(Tiny(2));
        var other = DatasetLoader.Load("synthetic:140:2:balanced", new DatasetOptions { UseCache = false }).Faces;

        var error = Assert.Throws<FerganException>(() => Train(Tiny(4), resume: true, data: other));
        Assert.Contains("trained on synthetic:140:1:balanced", error.Message);
        Assert.Contains("the data given now is synthetic:140:2:balanced", error.Message);
        Assert.Equal(4, Train(Tiny(4), resume: true, data: DatasetLoader.Load("synthetic:140:1:balanced", new DatasetOptions { UseCache = false }).Faces).Step);

        File.WriteAllText(new GanRunDirectory(_temp.Path).DataFile, "{ not json");
        var damaged = Assert.Throws<FerganException>(() => Train(Tiny(6), resume: true));
        Assert.Contains("data.json is damaged", damaged.Message);
        Assert.Equal(4, new GanRunDirectory(_temp.Path).Checkpoints()[^1].Step); // nothing lost
    }

    /// <summary>A run folder of the other kind is named as such (it failed before on its data or options, with a message about neither).</summary>
    [Fact]
    public void Resuming_a_classifier_run_as_a_gan_run_and_back_is_refused_naming_the_kind()
    {
        var classifierOptions = new Classifier.Training.ClassifierOptions
        {
            Architecture = new Classifier.Models.ClassifierArchitecture(Classifier.Models.ClassifierKind.Baseline, 4),
            Epochs = 1,
            BatchSize = 16,
        };
        var classifierFolder = _temp.File("classifier");
        using (var trainer = new Classifier.Training.ClassifierTrainer(classifierOptions, Faces, classifierFolder))
        {
            trainer.Train(false, "test");
        }
        Train(Tiny(2));

        var asGan = Assert.Throws<FerganException>(() => Train(Tiny(4), resume: true, folder: classifierFolder));
        using var asClassifier = new Classifier.Training.ClassifierTrainer(classifierOptions with { Epochs = 2 }, Faces, _temp.Path);
        var asClassifierError = Assert.Throws<FerganException>(() => asClassifier.Train(true, "test"));

        Assert.Contains("holds a classifier run (classifier.json), not a GAN run; resume it with `fergan train`", asGan.Message);
        Assert.Contains("holds a GAN run (generator.json), not a classifier run; resume it with `fergan gan train`", asClassifierError.Message);
    }

    [Fact]
    public void An_auxiliary_classifier_logs_its_accuracy_and_must_be_kept_on_resume()
    {
        Train(Tiny(2) with { ClassifierWeight = 1 });

        var last = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(new GanRunDirectory(_temp.Path).LogFile)[^1]).RootElement;
        Assert.InRange(last.GetProperty("classifier_accuracy").GetDouble(), 0, 1);
        Assert.True(last.GetProperty("classifier_loss").GetDouble() > 0);
        var error = Assert.Throws<FerganException>(() => Train(Tiny(4), resume: true));
        Assert.Contains("another classifier weight 1 (now 0)", error.Message);
        Assert.Equal(4, Train(Tiny(4) with { ClassifierWeight = 1 }, resume: true).Step);
    }

    [Fact]
    public void A_guide_classifier_is_frozen_and_its_accuracy_is_logged_also_channels_last()
    {
        var guideFolder = Path.Combine(_temp.Path, "guide");
        var classifierOptions = new Classifier.Training.ClassifierOptions
        {
            Architecture = new Classifier.Models.ClassifierArchitecture(Classifier.Models.ClassifierKind.Baseline, 4),
            Epochs = 1,
            BatchSize = 16,
        };
        using (var trainer = new Classifier.Training.ClassifierTrainer(classifierOptions, Faces, guideFolder))
        {
            trainer.Train(false, "test");
        }
        var before = File.ReadAllBytes(Path.Combine(guideFolder, Classifier.ClassifierCard.WeightsFile));
        var ganFolder = Path.Combine(_temp.Path, "gan");
        // Channels-last (G, D and the guide in NHWC, as on a GPU) runs the whole step and is recorded with the options.
        using (var trainer = new GanTrainer(Tiny(2) with { GuideFolder = guideFolder, GuideWeight = 2, ChannelsLast = true }, Faces, ganFolder))
        {
            trainer.Train(false, "test");
        }
        Assert.Contains("\"channels_last\": true", File.ReadAllText(Path.Combine(ganFolder, "options.json")));

        var last = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(new GanRunDirectory(ganFolder).LogFile)[^1]).RootElement;
        Assert.InRange(last.GetProperty("guide_accuracy").GetDouble(), 0, 1);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(guideFolder, Classifier.ClassifierCard.WeightsFile)));
        var missing = Assert.Throws<FerganException>(() => new GanTrainer(Tiny(2) with { GuideFolder = Path.Combine(_temp.Path, "none") }, Faces, Path.Combine(_temp.Path, "gan2")));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void The_learning_rates_stay_then_fall_linearly_to_the_last_step()
    {
        var options = Tiny(10) with { DecayStart = 0.5 };

        Assert.Equal([1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2], Enumerable.Range(0, 10).Select(k => Math.Round(options.LearningRateScale(k), 10)));
        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(1, Tiny(10).LearningRateScale(k))); // the default: constant
        Assert.Equal(1, (options with { DecayStart = 0 }).LearningRateScale(0));
        Assert.Equal(0.1, (options with { DecayStart = 0 }).LearningRateScale(9), 10);
        var error = Assert.Throws<FerganException>(() => Train(Tiny(2) with { DecayStart = 1.5 }));
        Assert.Contains("decay start must be a fraction of the run from 0 to 1 (got 1.5)", error.Message);
    }

    [Fact]
    public void The_ema_warms_up_over_a_fraction_of_the_steps_so_far_until_its_cap_binds()
    {
        var defaults = new GanOptions();

        // The default ramp-up is TensorFlow's (1 + t) / (10 + t), the schedule of every run before the option.
        Assert.All(new[] { 0, 1, 9, 100, 2999, 4999, 8000 }, t => Assert.Equal((1.0 + t) / (10.0 + t), defaults.EmaDecayAt(t), 12));
        Assert.True(defaults.EmaDecayAt(4999) < 0.9983); // the full profile's 5,000 steps never reach the 0.999 cap
        Assert.Equal(0.999, defaults.EmaDecayAt(8991), 12);
        Assert.Equal(0.999, defaults.EmaDecayAt(20000), 12);
        // Three times the ramp-up: three times the time constant 1 / (1 - decay) at every step before the cap.
        var slower = defaults with { EmaRampup = 1.0 / 3 };
        Assert.All(new[] { 100, 1000, 2000 }, t => Assert.Equal(3 / (1 - defaults.EmaDecayAt(t)), 1 / (1 - slower.EmaDecayAt(t)), 6));
        Assert.Equal(0, (defaults with { EmaRampup = 0.05 }).EmaDecayAt(0)); // a time constant under one step: the EMA is G itself
        Assert.Equal(0.9, (defaults with { EmaDecay = 0.9 }).EmaDecayAt(5000));
        var error = Assert.Throws<FerganException>(() => Train(Tiny(2) with { EmaRampup = 0 }));
        Assert.Contains("EMA ramp-up must be a positive fraction of the steps so far (got 0)", error.Message);
    }

    [Fact]
    public void A_slower_ema_averages_the_same_training_differently_and_must_be_kept_on_resume()
    {
        // The EMA only reads G: the same seed trains the same G (its checkpoint weights are equal), and only the
        // averaged generator differs. So one training trajectory can be compared under two averages.
        var normal = Path.Combine(_temp.Path, "normal");
        var slower = Path.Combine(_temp.Path, "slower");
        Train(Tiny(4), folder: normal);
        Train(Tiny(4) with { EmaRampup = 1 }, folder: slower);

        var (a, b) = (new GanRunDirectory(normal), new GanRunDirectory(slower));
        var (lastA, lastB) = (a.Checkpoints()[^1].Folder, b.Checkpoints()[^1].Folder);
        Assert.Equal(File.ReadAllBytes(Path.Combine(lastA, "generator.bin")), File.ReadAllBytes(Path.Combine(lastB, "generator.bin")));
        Assert.NotEqual(File.ReadAllBytes(a.GeneratorAt(4)), File.ReadAllBytes(b.GeneratorAt(4)));
        Assert.Contains("\"ema_rampup\": 1", File.ReadAllText(b.OptionsFile));
        var error = Assert.Throws<FerganException>(() => Train(Tiny(6), resume: true, folder: slower));
        Assert.Contains("another EMA ramp-up 1 (now 0.1111111111111111)", error.Message);
    }

    [Fact]
    public void A_decaying_run_trains_as_a_constant_one_until_the_decay_and_logs_its_rate()
    {
        // Steps 0-2 at the full rates in both runs (the decay begins at step 2 of 4 with factor 1), step 3 at half:
        // the checkpoints at step 2 hold the same generator, those at step 4 do not.
        var constant = Path.Combine(_temp.Path, "constant");
        var decaying = Path.Combine(_temp.Path, "decaying");
        Train(Tiny(4), folder: constant);
        Train(Tiny(4) with { DecayStart = 0.5 }, folder: decaying);

        var (a, b) = (new GanRunDirectory(constant), new GanRunDirectory(decaying));
        Assert.Equal(File.ReadAllBytes(a.GeneratorAt(2)), File.ReadAllBytes(b.GeneratorAt(2)));
        Assert.NotEqual(File.ReadAllBytes(a.GeneratorAt(4)), File.ReadAllBytes(b.GeneratorAt(4)));
        var scales = File.ReadAllLines(b.LogFile).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("learning_rate_scale").GetDouble());
        Assert.Equal([1, 1, 1, 0.5], scales);
        Assert.Contains("\"decay_start\": 0.5", File.ReadAllText(b.OptionsFile));
    }

    [Fact]
    public void A_fresh_start_in_a_folder_with_a_run_is_refused()
    {
        Train(Tiny(2));

        Assert.Contains("already holds a GAN run", Assert.Throws<FerganException>(() => Train(Tiny(2))).Message);
    }

    [Fact]
    public void Invalid_options_are_all_reported_at_once()
    {
        var error = Assert.Throws<FerganException>(() => Train(Tiny(0) with { BatchSize = 1, EmaDecay = 1.5, DiscriminatorSteps = 0 }));

        Assert.Contains("steps must be at least 1", error.Message);
        Assert.Contains("batch size must be at least 2", error.Message);
        Assert.Contains("EMA decay", error.Message);
        Assert.Contains("discriminator steps must be at least 1", error.Message);
    }

    [Fact]
    public void Sampling_rejects_bad_counts_truncation_and_foreign_models()
    {
        Train(Tiny(2));
        using var generator = GanGenerator.Load(_temp.Path);

        Assert.Contains("--count must be at least 1", Assert.Throws<FerganException>(() => generator.SampleFaces(Emotion.Happy, 0)).Message);
        Assert.Contains("--truncation must be positive", Assert.Throws<FerganException>(() => generator.SampleFaces(Emotion.Happy, 1, truncation: 0)).Message);
        Assert.Contains("generator.json is missing", Assert.Throws<FerganException>(() => GanGenerator.Load(_temp.File("nothing-here"))).Message);
        var card = File.ReadAllText(Path.Combine(_temp.Path, GeneratorCard.CardFile)).Replace("\"disgust\"", "\"contempt\"");
        File.WriteAllText(Path.Combine(_temp.Path, GeneratorCard.CardFile), card);
        Assert.Contains("was trained for the classes", Assert.Throws<FerganException>(() => GanGenerator.Load(_temp.Path)).Message);
    }

    [Fact]
    public void Truncated_noise_stays_within_the_bound()
    {
        var z = GanGenerator.TruncatedNoise(256, 32, 0.5, new TorchSharp.torch.Generator(1));

        Assert.True(z.abs().max().item<float>() <= 0.5f);
        Assert.True(z.std().item<float>() > 0.2f); // still spread, not clamped flat
    }

    private sealed class SyncProgress(Action<GanProgress> report) : IProgress<GanProgress>
    {
        public void Report(GanProgress value) => report(value);
    }
}
