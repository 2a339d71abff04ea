using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Tests;
using Fergan.Torch.Classifier;
using Fergan.Torch.Classifier.Evaluation;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

/// <summary>
/// What both "labels say nothing" tests compare a student with: the teacher (trained on the true labels) and a model
/// of the shuffled labels alone, each the same recipe and seed in both tests, so trained once (about 30 s of CI).
/// Lazy, so the class's other tests do not pay for them.
/// </summary>
public sealed class ShuffledLabelBaselines : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Lazy<(string TeacherFolder, double Teacher, double LabelsOnly)> _trained;

    public ShuffledLabelBaselines()
    {
        _trained = new(() =>
        {
            TorchRuntime.Initialize();
            var teacherFolder = _temp.File("teacher");
            var teacher = DistillationTests.TrainAndScore(DistillationTests.Recipe, DistillationTests.Faces, teacherFolder);
            var labelsOnly = DistillationTests.TrainAndScore(DistillationTests.StudentRecipe, Noise, _temp.File("labels-only"));
            return (teacherFolder, teacher, labelsOnly);
        });
    }

    /// <summary>The synthetic faces with their Training labels shuffled.</summary>
    public FaceSet Noise { get; } = DistillationTests.WithShuffledTrainingLabels();

    /// <summary>The teacher's folder; do not change it (the other test reads it).</summary>
    public string TeacherFolder => _trained.Value.TeacherFolder;

    /// <summary>The teacher's balanced accuracy on the true PrivateTest labels.</summary>
    public double Teacher => _trained.Value.Teacher;

    /// <summary>The same for a model of the shuffled labels alone, at the students' rate.</summary>
    public double LabelsOnly => _trained.Value.LabelsOnly;

    public void Dispose() => _temp.Dispose();
}

[Collection("Torch")]
public sealed class DistillationTests(ITestOutputHelper output, ShuffledLabelBaselines baselines) : IDisposable, IClassFixture<ShuffledLabelBaselines>
{
    internal static readonly FaceSet Faces = DatasetLoader.Load("synthetic:1400:11", new DatasetOptions { UseCache = false }).Faces;
    private readonly TempDirectory _temp = new();
    private readonly TorchRuntimeInfo _runtime = TorchRuntime.Initialize(); // libtorch loaded before any tensor; kept for nothing else

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// The students' recipe: a lower rate, since the T² factor makes the distillation gradient about T times a label
    /// loss's at first, and at 0.05 the student diverged in its first epoch.
    /// </summary>
    internal static ClassifierOptions StudentRecipe => Recipe with { LearningRate = 0.02 };

    internal static ClassifierOptions Recipe => new()
    {
        Architecture = new ClassifierArchitecture(ClassifierKind.Vgg, 8),
        Epochs = 6,
        BatchSize = 32,
        LearningRate = 0.05,
        Augment = ClassifierAugment.Off,
        Seed = 7,
    };

    internal static double TrainAndScore(ClassifierOptions options, FaceSet faces, string folder)
    {
        using (var trainer = new ClassifierTrainer(options, faces, folder))
        {
            trainer.Train(false);
        }
        using var classifier = EmotionClassifier.Load(folder);
        // Scored against the true labels of the original set; balanced accuracy, so always answering the largest
        // class (which shuffled labels still teach) scores chance, 1/7.
        return ClassifierEvaluator.Evaluate(classifier, Faces, new EvaluationOptions { Split = DataSplit.PrivateTest, BootstrapResamples = 10 }).BalancedAccuracy;
    }

    /// <summary>Training labels shuffled among the Training faces: they say nothing about the faces any more.</summary>
    internal static FaceSet WithShuffledTrainingLabels()
    {
        var labels = Faces.Labels.ToArray();
        var training = Faces.IndicesOf(DataSplit.Training);
        var shuffled = training.Select(i => labels[i]).ToArray();
        new Random(5).Shuffle(shuffled);
        for (var k = 0; k < training.Length; k++)
        {
            labels[training[k]] = shuffled[k];
        }
        return Faces.WithLabels(labels, null, Faces.Provenance);
    }

    [Fact]
    public void A_student_learns_the_emotions_from_its_teacher_when_its_labels_say_nothing()
    {
        var (teacherFolder, teacher, labelsOnly, noise) = (baselines.TeacherFolder, baselines.Teacher, baselines.LabelsOnly, baselines.Noise);

        var student = TrainAndScore(StudentRecipe with { Teachers = [teacherFolder], DistillWeight = 1 }, noise, _temp.File("student"));

        output.WriteLine($"PrivateTest balanced accuracy: teacher {teacher:0.000}, shuffled labels alone {labelsOnly:0.000}, student {student:0.000}");
        // The teacher learnt the synthetic emotions; without it the shuffled labels teach nothing,
        // with it (and no weight on the labels) the student recovers most of what the teacher knows.
        Assert.True(teacher > 0.6, $"teacher balanced accuracy {teacher:0.000}");
        Assert.True(labelsOnly < 0.25, $"balanced accuracy from shuffled labels alone {labelsOnly:0.000}");
        Assert.True(student > 0.5, $"student balanced accuracy {student:0.000} (teacher {teacher:0.000})");
        var card = ClassifierCard.Read(_temp.File("student"));
        var record = Assert.Single(card.Teachers!);
        Assert.Equal(Path.GetFullPath(teacherFolder), record.Folder);
        Assert.Equal(EmotionClassifier.WeightsSha256(teacherFolder), record.WeightsSha256);
        Assert.Contains("distilled from 1 teacher", card.Data);
    }

    /// <summary>The teacher's probabilities for the Training faces of <paramref name="faces"/>, saved as `fergan evaluate --split Training --probabilities` saves them.</summary>
    private string SavePredictions(string teacherFolder, FaceSet faces, string name)
    {
        using var teacher = EmotionClassifier.Load(teacherFolder);
        var report = ClassifierEvaluator.Evaluate(teacher, faces, new EvaluationOptions { Split = DataSplit.Training, BootstrapResamples = 10 });
        var file = _temp.File(name);
        EvaluatedFacesCsv.Write(report.Details!, file);
        return file;
    }

    [Fact]
    public void A_student_learns_the_emotions_from_saved_teacher_probabilities_when_its_labels_say_nothing()
    {
        var (teacherFolder, teacher, labelsOnly, noise) = (baselines.TeacherFolder, baselines.Teacher, baselines.LabelsOnly, baselines.Noise);
        // Saved on the set the student trains on: its (shuffled) labels, the teacher's view of each face.
        var saved = SavePredictions(teacherFolder, noise, "teacher.csv");

        var student = TrainAndScore(StudentRecipe with { TeacherProbabilities = saved, DistillWeight = 1 }, noise, _temp.File("student"));

        output.WriteLine($"PrivateTest balanced accuracy: teacher {teacher:0.000}, shuffled labels alone {labelsOnly:0.000}, student of saved predictions {student:0.000}");
        Assert.True(teacher > 0.6, $"teacher balanced accuracy {teacher:0.000}");
        Assert.True(labelsOnly < 0.25, $"balanced accuracy from shuffled labels alone {labelsOnly:0.000}");
        Assert.True(student > 0.5, $"student balanced accuracy {student:0.000} (teacher {teacher:0.000})");
        var card = ClassifierCard.Read(_temp.File("student"));
        Assert.Equal(Path.GetFullPath(saved), card.TeacherProbabilities!.File);
        Assert.Equal(TeacherPredictions.Sha256(saved), card.TeacherProbabilities.Sha256);
        Assert.Equal(noise.IndicesOf(DataSplit.Training).Length, card.TeacherProbabilities.Faces);
        Assert.Contains("distilled from saved teacher probabilities", card.Data);
    }

    [Fact]
    public void Saved_probabilities_are_softened_as_a_softmax_at_the_temperature()
    {
        using var scope = NewDisposeScope();
        var training = Faces.IndicesOf(DataSplit.Training);
        var file = _temp.File("p.csv");
        // Every Training face gets the same made-up prediction, a softmax of known logits.
        var logits = tensor(new float[] { 2f, 0.5f, -1f, 0f, 1f, -0.5f, -3f });
        var p = nn.functional.softmax(logits, 0).data<float>().ToArray();
        EvaluatedFacesCsv.Write(new EvaluatedFaces(training, training.Select(Faces.SourceRow).ToArray(),
            training.Select(i => (int)Faces.Label(i)).ToArray(), training.Select(_ => p).ToArray()), file);

        var predictions = TeacherPredictions.Load(file, Faces, training);

        Assert.Equal(training.Length, predictions.Record.Faces);
        foreach (var T in new[] { 1.0, 2.0, 4.0 })
        {
            var targets = predictions.Targets(T, CPU);
            Assert.Equal(new long[] { training.Length, Emotions.Count }, targets.shape);
            var expected = nn.functional.softmax(logits.div(T), 0);
            Assert.True(targets[training.Length - 1].sub(expected).abs().max().item<float>() < 1e-5, $"T = {T}");
        }
    }

    [Fact]
    public void Saved_probabilities_of_other_faces_or_labels_or_in_another_format_are_refused_naming_the_file_and_line()
    {
        var training = Faces.IndicesOf(DataSplit.Training);
        var uniform = Enumerable.Repeat(1f / Emotions.Count, Emotions.Count).ToArray();
        string Save(string name, int[] indices, Func<int, int>? label = null)
        {
            var file = _temp.File(name);
            EvaluatedFacesCsv.Write(new EvaluatedFaces(indices, indices.Select(Faces.SourceRow).ToArray(),
                indices.Select(i => label?.Invoke(i) ?? (int)Faces.Label(i)).ToArray(), indices.Select(_ => uniform).ToArray()), file);
            return file;
        }
        var publicTest = Save("public.csv", Faces.IndicesOf(DataSplit.PublicTest));
        var lastWrong = training[^1];
        var relabelled = Save("relabelled.csv", training, i => i == lastWrong ? ((int)Faces.Label(i) + 1) % Emotions.Count : (int)Faces.Label(i));
        var twice = Save("twice.csv", [.. training, training[0]]);
        var header = _temp.File("header.csv");
        File.WriteAllText(header, "index,row,label,a,b,c,d,e,f,g\n");
        var sum = _temp.File("sum.csv");
        File.WriteAllLines(sum, [File.ReadLines(publicTest).First(), $"0,{Faces.SourceRow(training[0])},angry,0.5,0.5,0.5,0,0,0,0"]);
        var label = _temp.File("label.csv");
        File.WriteAllLines(label, [File.ReadLines(publicTest).First(), "0,1,grumpy,1,0,0,0,0,0,0"]);
        var fields = _temp.File("fields.csv");
        File.WriteAllLines(fields, [File.ReadLines(publicTest).First(), "0,1,angry,1,0,0"]);

        string Problem(string file) => Assert.ThrowsAny<FerganException>(() => TeacherPredictions.Load(file, Faces, training)).Message;

        Assert.Contains($"has no row for {training.Length:N0} of the {training.Length:N0} Training faces", Problem(publicTest));
        Assert.Matches($"relabelled.csv, line {training.Length + 1}: source row {Faces.SourceRow(lastWrong)} is labelled", Problem(relabelled));
        Assert.Matches($"twice.csv, line {training.Length + 2}: source row {Faces.SourceRow(training[0])} appears twice", Problem(twice));
        Assert.Contains("header.csv, line 1: the header is not", Problem(header));
        Assert.Contains("sum.csv, line 2: the seven probabilities sum to 1.5", Problem(sum));
        Assert.Contains("label.csv, line 2: label 'grumpy'", Problem(label));
        Assert.Contains("fields.csv, line 2: expected 10", Problem(fields));
        Assert.Contains("does not exist", Problem(_temp.File("nowhere.csv")));
    }

    [Fact]
    public void Resuming_with_other_saved_probabilities_or_with_live_teachers_as_well_is_refused()
    {
        var teacherFolder = _temp.File("teacher");
        TrainAndScore(Recipe with { Epochs = 1 }, Faces, teacherFolder);
        var saved = SavePredictions(teacherFolder, Faces, "teacher.csv");
        var run = _temp.File("student");
        using (var trainer = new ClassifierTrainer(Recipe with { Epochs = 1, TeacherProbabilities = saved }, Faces, run))
        {
            trainer.Train(false);
        }

        // The same file name, other predictions (another teacher saved over it).
        Directory.Delete(teacherFolder, recursive: true);
        TrainAndScore(Recipe with { Epochs = 1, Seed = 8 }, Faces, teacherFolder);
        File.Delete(saved);
        SavePredictions(teacherFolder, Faces, "teacher.csv");
        var changed = Assert.Throws<FerganException>(() =>
        {
            using var trainer = new ClassifierTrainer(Recipe with { Epochs = 2, TeacherProbabilities = saved }, Faces, run);
            trainer.Train(true);
        });
        var without = Assert.Throws<FerganException>(() =>
        {
            using var trainer = new ClassifierTrainer(Recipe with { Epochs = 2 }, Faces, run);
            trainer.Train(true);
        });
        var both = Assert.Throws<FerganException>(() => new ClassifierTrainer(Recipe with { Teachers = [teacherFolder], TeacherProbabilities = saved }, Faces, _temp.File("both")));

        Assert.Contains("distilled from other predictions than", changed.Message);
        Assert.Contains("teacher probabilities file", without.Message);
        Assert.Contains("not both", both.Message);
    }

    /// <summary>
    /// FER+ vote shares (`--ferplus-mode probability`) are soft labels; the trainer must learn from them, not from the
    /// hard label beside them. Here the hard Training labels are shuffled and the soft ones carry the truth (80 % on
    /// the true emotion, the rest spread), so only a trainer that reads the soft labels can learn the emotions.
    /// </summary>
    [Fact]
    public void Soft_labels_are_the_training_targets_when_a_set_has_them()
    {
        var noise = WithShuffledTrainingLabels();
        var soft = new float[Faces.Count * Emotions.Count];
        for (var i = 0; i < Faces.Count; i++)
        {
            for (var c = 0; c < Emotions.Count; c++)
            {
                soft[i * Emotions.Count + c] = c == (int)Faces.Label(i) ? 0.8f : 0.2f / (Emotions.Count - 1);
            }
        }
        var softSet = noise.WithLabels(noise.Labels.ToArray(), soft, noise.Provenance with { LabelSource = "test-soft" });

        var hardOnly = TrainAndScore(Recipe, noise, _temp.File("hard"));
        var fromSoft = TrainAndScore(Recipe, softSet, _temp.File("soft"));

        output.WriteLine($"PrivateTest balanced accuracy: shuffled hard labels {hardOnly:0.000}, soft labels {fromSoft:0.000}");
        Assert.True(hardOnly < 0.25, $"balanced accuracy from shuffled hard labels {hardOnly:0.000}");
        Assert.True(fromSoft > 0.6, $"balanced accuracy from soft labels {fromSoft:0.000}");
        Assert.Contains("trained on soft labels (test-soft)", ClassifierCard.Read(_temp.File("soft")).Data);
    }

    [Fact]
    public void The_distillation_loss_is_smallest_where_the_student_matches_its_targets()
    {
        using var scope = NewDisposeScope();
        const double T = 2;
        var logits = tensor(new float[] { 2f, 0.5f, -1f, 0f, 1f, -0.5f, 0.3f, -2f, 1f, 0f, 0f, 3f, 0.2f, -1f }, 2, 7);
        var targets = nn.functional.softmax(logits.div(T), 1);
        var student = logits.clone().requires_grad_(true);

        var loss = DistillationTeachers.Loss(student, targets, T);
        loss.backward();

        // At the minimum the loss is T² times the targets' entropy, and its gradient vanishes.
        var entropy = targets.mul(targets.log()).sum(1).mean().neg().item<float>();
        Assert.Equal(T * T * entropy, loss.item<float>(), 4);
        Assert.True(student.grad!.abs().max().item<float>() < 1e-5);
        using var other = logits.add(tensor(new float[] { 1f, 0, 0, 0, 0, 0, 0 })).requires_grad_(true);
        Assert.True(DistillationTeachers.Loss(other, targets, T).item<float>() > loss.item<float>() + 1e-3);
    }

    [Fact]
    public void Resuming_with_another_teacher_or_other_teacher_weights_is_refused()
    {
        var teacherFolder = _temp.File("teacher");
        TrainAndScore(Recipe with { Epochs = 1 }, Faces, teacherFolder);
        var run = _temp.File("student");
        using (var trainer = new ClassifierTrainer(Recipe with { Epochs = 1, Teachers = [teacherFolder] }, Faces, run))
        {
            trainer.Train(false);
        }

        var e = Assert.Throws<FerganException>(() =>
        {
            using var trainer = new ClassifierTrainer(Recipe with { Epochs = 2 }, Faces, run);
            trainer.Train(true);
        });
        Assert.Contains("another set of teachers", e.Message);

        // The same folder, retrained in place: other weights under the same name are refused too.
        Directory.Delete(teacherFolder, recursive: true);
        TrainAndScore(Recipe with { Epochs = 1, Seed = 8 }, Faces, teacherFolder);
        var retrained = Assert.Throws<FerganException>(() =>
        {
            using var trainer = new ClassifierTrainer(Recipe with { Epochs = 2, Teachers = [teacherFolder] }, Faces, run);
            trainer.Train(true);
        });
        Assert.Contains("distilled from other weights than", retrained.Message);
    }

    [Fact]
    public void A_missing_teacher_is_named_before_training_starts()
    {
        var e = Assert.Throws<FerganException>(() => new ClassifierTrainer(Recipe with { Teachers = [_temp.File("nowhere")] }, Faces, _temp.File("run")));

        Assert.Contains("nowhere", e.Message);
        Assert.False(Directory.Exists(_temp.File("run")) && Directory.EnumerateFileSystemEntries(_temp.File("run")).Any());
    }
}
