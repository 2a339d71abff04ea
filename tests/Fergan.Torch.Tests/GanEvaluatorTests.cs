using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Tests;
using Fergan.Torch.Classifier;
using Fergan.Torch.Gan.Evaluation;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using static TorchSharp.torch;

namespace Fergan.Torch.Tests;

/// <summary>One <see cref="GanEvaluator"/> for a run's checkpoints: the Training faces' features computed once, kept.</summary>
[Collection("Torch")]
public sealed class GanEvaluatorTests
{
    private static readonly FaceSet Faces = DatasetLoader.Load("synthetic:140:1:balanced", new DatasetOptions { UseCache = false }).Faces;

    private static readonly GanEvaluationOptions Small = new()
    {
        SamplesPerClass = 12, OverallSamples = 30, PrecisionRecallSamples = 30, CopySamplesPerClass = 0,
    };

    public GanEvaluatorTests() => TorchRuntime.Initialize();

    private static string Bundled(string name) => Path.Combine(SharedData.RepositoryRoot!, "models", name);

    [Fact]
    public void One_evaluator_scores_again_and_again_as_a_fresh_one_would()
    {
        using var reference = EmotionClassifier.Load(Bundled("reference"));
        using var generator = GanGenerator.Load(Bundled("gan"));
        using var evaluator = new GanEvaluator(reference, Faces, Small);

        GanEvaluationReport first;
        using (NewDisposeScope()) // a caller's scope: the cached features must outlive it
        {
            first = evaluator.Evaluate(generator, step: 1);
        }
        // The second call failed with "Tensor invalid -- empty handle" while the cache lived in the first call's scope.
        var second = evaluator.Evaluate(generator, step: 2);
        using var fresh = new GanEvaluator(reference, Faces, Small);
        var alone = fresh.Evaluate(generator, step: 2);

        Assert.Equal(2, second.Step);
        Assert.Equal(alone.Fid, second.Fid);
        Assert.Equal(first.Fid, second.Fid);
        Assert.Equal(alone.Kid, second.Kid);
        Assert.Equal(alone.LabelFidelity, second.LabelFidelity);
        Assert.Equal(alone.PerClass, second.PerClass);
    }

    [Fact]
    public void A_call_may_score_with_other_sample_counts_but_not_against_other_real_faces()
    {
        using var reference = EmotionClassifier.Load(Bundled("reference"));
        using var generator = GanGenerator.Load(Bundled("gan"));
        var evaluator = new GanEvaluator(reference, Faces, Small);

        var full = evaluator.Evaluate(generator);
        var cheaper = evaluator.Evaluate(generator, overrides: Small with { OverallSamples = 20, PrecisionRecallSamples = 20 });

        // The per-emotion faces are drawn first, from the same seed: only the overall scores change.
        Assert.Equal(full.PerClass, cheaper.PerClass);
        Assert.NotEqual(full.Fid, cheaper.Fid);
        Assert.Throws<ArgumentException>(() => evaluator.Evaluate(generator, overrides: Small with { MaxRealFaces = 50 }));
        Assert.Throws<ArgumentException>(() => evaluator.Evaluate(generator, overrides: Small with { Seed = 7 }));
        evaluator.Dispose();
        Assert.Throws<ObjectDisposedException>(() => evaluator.Evaluate(generator));
    }
}
