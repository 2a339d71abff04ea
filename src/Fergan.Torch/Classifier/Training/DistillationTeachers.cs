using Fergan.Torch.Classifier.Models;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Training;

/// <summary>A teacher as the student's card records it: where it was, which weights, what it was.</summary>
public sealed record TeacherRecord(string Folder, string WeightsSha256, ClassifierArchitecture Architecture, double? SelectionAccuracy);

/// <summary>
/// Knowledge distillation (Hinton et al. 2015): frozen, trained classifiers whose averaged softened predictions a
/// student learns beside the labels. Why for FER2013: a third of its labels disagree with the FER+ crowd, and the
/// teachers' soft predictions say which faces are ambiguous (a fearful face that reads half surprised), which a
/// one-hot label cannot; an ensemble's knowledge in one network is also how a single model can beat the single
/// models it learnt from (Furlanello et al. 2018, "born-again networks"). The teachers see the same augmented
/// batch as the student (Beyer et al. 2022: a consistent teacher distils best), in eval mode, without gradients.
/// </summary>
public sealed class DistillationTeachers : IDisposable
{
    private readonly List<EmotionClassifier> _teachers = [];

    public DistillationTeachers(IReadOnlyList<string> folders, string device, ComputePrecision precision, bool channelsLast)
    {
        if (folders.Count == 0)
        {
            throw new ArgumentException("at least one teacher", nameof(folders));
        }
        try
        {
            foreach (var folder in folders)
            {
                var teacher = EmotionClassifier.Load(folder, device);
                _teachers.Add(teacher);
                foreach (var p in teacher.Network.parameters())
                {
                    p.requires_grad = false;
                }
                // Inference only, so the student's fast settings are the teacher's too; selection never uses them.
                teacher.Network.Precision = precision;
                teacher.Network.ChannelsLast = channelsLast;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        Records = _teachers.Select(t => new TeacherRecord(t.Folder, EmotionClassifier.WeightsSha256(t.Folder), t.Card.Architecture, t.Card.Selection?.Accuracy)).ToList();
    }

    public IReadOnlyList<TeacherRecord> Records { get; }

    /// <summary>
    /// The teachers' mean of softmax(logits / <paramref name="temperature"/>) for faces in [0, 1] ([N, 1, 48, 48]):
    /// [N, 7] float32 probabilities, no gradient.
    /// </summary>
    public Tensor SoftTargets(Tensor images, double temperature)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor? sum = null;
        foreach (var teacher in _teachers)
        {
            var p = nn.functional.softmax(teacher.Network.call(images).to_type(ScalarType.Float32).div(temperature), 1);
            sum = sum is null ? p : sum.add_(p);
        }
        return sum!.div_(_teachers.Count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Cross-entropy of the student's softened predictions against the soft targets, times T² (Hinton et al.: keeps
    /// its gradients on the scale of the label loss whatever the temperature). It differs from the KL divergence by
    /// the targets' entropy, a constant for the student.
    /// </summary>
    public static Tensor Loss(Tensor studentLogits, Tensor softTargets, double temperature) =>
        nn.functional.log_softmax(studentLogits.to_type(ScalarType.Float32).div(temperature), 1)
            .mul(softTargets).sum(1).mean().neg().mul(temperature * temperature);

    public void Dispose()
    {
        foreach (var teacher in _teachers)
        {
            teacher.Dispose();
        }
        _teachers.Clear();
    }
}
