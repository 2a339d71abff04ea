using Fergan.Data;
using Fergan.Tests;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Experiments;

namespace Fergan.Torch.Tests;

/// <summary>Reading a grid spec: named arms that vary the recipe, and the specs that must be refused.</summary>
public sealed class ExperimentSpecTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string runs)
    {
        var path = _temp.File("spec.json");
        File.WriteAllText(path, $$"""{ "data": "synthetic:140:1", "gan": "gan", "runs": [ {{runs}} ] }""");
        return path;
    }

    [Fact]
    public void Named_arms_vary_the_gan_recipe_and_the_augmentation_and_unnamed_arms_take_their_strategy_as_name()
    {
        var spec = ExperimentSpec.Read(Write("""
            { "balance": "gan", "seeds": [1] },
            { "name": "gan-oversample", "balance": "gan", "oversample_real": true, "synthetic_ratio": 0.5, "seeds": [1, 2] },
            { "name": "gan-proportional", "balance": "gan", "synthetic_classes": "proportional", "seeds": [1] },
            { "name": "none-photometric", "balance": "none", "photometric": 0.2, "seeds": [1] }
            """));

        Assert.Equal(["gan", "gan-oversample", "gan-proportional", "none-photometric"], spec.Runs.Select(r => r.Label));
        var plain = spec.OptionsFor(spec.Runs[0], 1, "cpu");
        var both = spec.OptionsFor(spec.Runs[1], 2, "cpu");
        var proportional = spec.OptionsFor(spec.Runs[2], 1, "cpu");
        var photometric = spec.OptionsFor(spec.Runs[3], 1, "cpu");
        Assert.Equal((SyntheticClassMix.Fill, false, 0.3, 0.0), (plain.SyntheticClasses, plain.OversampleReal, plain.SyntheticRatio, plain.Augment.PhotometricProbability));
        Assert.Equal((true, 0.5, 2), (both.OversampleReal, both.SyntheticRatio, both.Seed));
        Assert.Equal(SyntheticClassMix.Proportional, proportional.SyntheticClasses);
        Assert.Equal(Path.Combine(_temp.Path, "gan"), proportional.GanFolder);
        Assert.Equal((BalanceStrategy.None, 0.2, null), (photometric.Balance, photometric.Augment.PhotometricProbability, photometric.GanFolder));
        Assert.All(new[] { plain, both, proportional, photometric }, o => Assert.Empty(o.Validate()));
    }

    [Fact]
    public void The_fast_step_applies_to_every_run_of_a_grid()
    {
        var path = _temp.File("fast.json");
        File.WriteAllText(path, """
            { "data": "synthetic:140:1", "precision": "bf16", "channels_last": true,
              "runs": [ { "balance": "none", "seeds": [1] }, { "balance": "oversample", "seeds": [2] } ] }
            """);
        var spec = ExperimentSpec.Read(path);

        Assert.All(spec.Runs, arm => Assert.Equal((ComputePrecision.Bf16, true),
            (spec.OptionsFor(arm, arm.Seeds[0], "cpu").Precision, spec.OptionsFor(arm, arm.Seeds[0], "cpu").ChannelsLast)));
        var plain = ExperimentSpec.Read(Write("""{ "balance": "none", "seeds": [1] }"""));
        Assert.Equal((ComputePrecision.Fp32, false), (plain.OptionsFor(plain.Runs[0], 1, "cpu").Precision, plain.OptionsFor(plain.Runs[0], 1, "cpu").ChannelsLast));
    }

    [Fact]
    public void Weight_averaging_applies_to_every_run_of_a_grid_and_turns_the_profiles_early_stopping_off()
    {
        var path = _temp.File("swa.json");
        File.WriteAllText(path, """
            { "data": "synthetic:140:1", "profile": "full", "swa_epochs": 10, "swa_learning_rate": 0.003,
              "runs": [ { "balance": "none", "seeds": [1] }, { "balance": "oversample", "seeds": [2] } ] }
            """);
        var spec = ExperimentSpec.Read(path);

        Assert.All(spec.Runs, arm => Assert.Equal((10, 0.003, 0), (spec.OptionsFor(arm, arm.Seeds[0], "cpu").SwaEpochs,
            spec.OptionsFor(arm, arm.Seeds[0], "cpu").ResolvedSwaLearningRate, spec.OptionsFor(arm, arm.Seeds[0], "cpu").EarlyStoppingPatience)));
        File.WriteAllText(path, """{ "data": "synthetic:140:1", "swa_epochs": 2, "patience": 4, "runs": [ { "balance": "none", "seeds": [1] } ] }""");
        Assert.Contains("early stopping", Assert.Throws<FerganException>(() => ExperimentSpec.Read(path)).Message);
    }

    [Fact]
    public void Selection_without_training_copies_applies_to_every_run_of_a_grid()
    {
        var path = _temp.File("clean-selection.json");
        File.WriteAllText(path, """
            { "data": "synthetic:140:1", "select_without_copies": true,
              "runs": [ { "balance": "none", "seeds": [1] }, { "balance": "oversample", "seeds": [2] } ] }
            """);
        var spec = ExperimentSpec.Read(path);

        Assert.All(spec.Runs, arm => Assert.True(spec.OptionsFor(arm, arm.Seeds[0], "cpu").SelectWithoutTrainingCopies));
        var plain = ExperimentSpec.Read(Write("""{ "balance": "none", "seeds": [1] }"""));
        Assert.False(plain.OptionsFor(plain.Runs[0], 1, "cpu").SelectWithoutTrainingCopies);
    }

    [Fact]
    public void Every_shipped_experiment_spec_reads()
    {
        var folder = Path.Combine(SharedData.RepositoryRoot!, "experiments");
        var specs = Directory.GetFiles(folder, "*.json");
        Assert.Contains(specs, s => s.EndsWith("gan-ablation-followup.json", StringComparison.Ordinal));
        foreach (var path in specs)
        {
            var spec = ExperimentSpec.Read(path);
            Assert.All(spec.Runs, arm => Assert.Empty(spec.OptionsFor(arm, arm.Seeds[0], "cpu").Validate()));
        }
    }

    [Fact]
    public void A_distilled_arm_names_its_teachers_relative_to_the_spec()
    {
        var spec = ExperimentSpec.Read(Write("""
            { "balance": "none", "seeds": [1] },
            { "name": "none-distilled", "balance": "none", "teachers": ["teachers/a", "/abs/b"], "distill_weight": 0.7, "distill_temperature": 3, "seeds": [1] },
            { "name": "none-saved", "balance": "none", "teacher_probabilities": "saved/teacher.csv", "distill_weight": 0.9, "seeds": [1] }
            """));

        var plain = spec.OptionsFor(spec.Runs[0], 1, "cpu");
        var distilled = spec.OptionsFor(spec.Runs[1], 1, "cpu");
        var saved = spec.OptionsFor(spec.Runs[2], 1, "cpu");
        Assert.Empty(plain.Teachers);
        Assert.Null(plain.TeacherProbabilities);
        Assert.Equal([Path.Combine(_temp.Path, "teachers", "a"), "/abs/b"], distilled.Teachers);
        Assert.Equal((0.7, 3.0), (distilled.DistillWeight, distilled.DistillTemperature));
        Assert.Equal(Path.Combine(_temp.Path, "saved", "teacher.csv"), saved.TeacherProbabilities);
        Assert.Equal(0.9, saved.DistillWeight);
    }

    [Theory]
    [InlineData("""{ "balance": "gan", "seeds": [1] }, { "balance": "gan", "oversample_real": true, "seeds": [2] }""", "two runs are named \"gan\"")]
    [InlineData("""{ "name": "GAN plus", "balance": "gan", "seeds": [1] }""", "run name \"GAN plus\"")]
    [InlineData("""{ "name": "over", "balance": "oversample", "synthetic_classes": "proportional", "seeds": [1] }""", "its strategy is oversample")]
    [InlineData("""{ "balance": "none", "seeds": [] }""", "at least one seed")]
    [InlineData("""{ "name": "hot", "balance": "none", "distill_temperature": 4, "seeds": [1] }""", "run \"hot\" sets distill_weight or distill_temperature but has no teachers or teacher_probabilities")]
    [InlineData("""{ "name": "twice", "balance": "none", "teachers": ["t"], "teacher_probabilities": "t.csv", "seeds": [1] }""", "run \"twice\": distil from teacher folders or from saved teacher probabilities, not both")]
    [InlineData("""{ "name": "heavy", "balance": "none", "teachers": ["t"], "distill_weight": 2, "seeds": [1] }""", "run \"heavy\": distillation weight must be in [0, 1]")]
    [InlineData("""{ "name": "bright", "balance": "none", "photometric": 1.5, "seeds": [1] }""", "run \"bright\": photometric augmentation probability must be in [0, 1]")]
    // A misspelt field was ignored before (the grid ran with the default); a misspelt value named no choices.
    [InlineData("""{ "balance": "none", "seed": [1], "seeds": [1] }""", "unknown field at runs[0].seed (line 1); the fields there are balance, seeds, name,")]
    [InlineData("""{ "balance": "oversampel", "seeds": [1] }""", "runs[0].balance (line 1) must be one of none, cap, oversample, weights, gan")]
    [InlineData("""{ "balance": "none", "seeds": [1], "photometric": "high" }""", "runs[0].photometric (line 1): not a valid number")]
    [InlineData("""{ "balance": "none" "seeds": [1] }""", "is invalid after a value")]
    public void A_spec_whose_runs_cannot_be_told_apart_or_do_not_apply_is_refused_with_the_reason(string runs, string reason)
    {
        var path = Write(runs);
        var e = Assert.Throws<FerganException>(() => ExperimentSpec.Read(path));
        Assert.Contains(reason, e.Message);
        Assert.Contains(path, e.Message);
    }
}
