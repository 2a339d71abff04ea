using System.Runtime.InteropServices;
using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Data.Progress;
using Fergan.Tests;
using Fergan.Torch.Experiments;
using Fergan.Torch.Runtime;

namespace Fergan.Torch.Tests;

/// <summary>
/// A grid's answer to a libtorch failure: one retry from the run's last checkpoint (a rare crash does not repeat),
/// then a reported failure that leaves the other runs alone. The failure is raised where libtorch would raise it for
/// the trainer: inside training, after an epoch's checkpoint (from the epoch report).
/// </summary>
[Collection("Torch")]
public sealed class ExperimentRunnerTests : IDisposable
{
    private static readonly FaceSet Faces = DatasetLoader.Load("synthetic:700:3:balanced", new DatasetOptions { UseCache = false }).Faces;
    private readonly TempDirectory _temp = new();

    public ExperimentRunnerTests() => TorchRuntime.Initialize();

    public void Dispose() => _temp.Dispose();

    private ExperimentSpec Spec()
    {
        var path = _temp.Write("spec.json", """
            { "data": "synthetic:700:3:balanced", "epochs": 2, "width": 4, "batch_size": 16, "evaluate_on": "PublicTest",
              "runs": [ { "balance": "none", "seeds": [1, 2] } ] }
            """);
        return ExperimentSpec.Read(path);
    }

    /// <summary>Runs the grid, throwing a libtorch-like failure from the given run's next epoch report (after that epoch's checkpoint), <paramref name="failures"/> times.</summary>
    private (ExperimentOutcome Outcome, List<ExperimentProgress> Reports) Run(string failing, int failures)
    {
        var reports = new List<ExperimentProgress>();
        var thrown = 0;
        var outcome = new ExperimentRunner(Spec(), Faces, _temp.File("grid")).Run(new SyncProgress<ExperimentProgress>(p =>
        {
            reports.Add(p);
            if (p.Name == failing && p.Epoch is not null && thrown < failures)
            {
                thrown++;
                throw new ExternalException("Expected false to be true, but got false.");
            }
        }));
        return (outcome, reports);
    }

    [Fact]
    public void A_run_that_libtorch_stops_once_is_retried_from_its_last_checkpoint_and_finishes()
    {
        var (outcome, reports) = Run("none-seed1", failures: 1);

        Assert.Empty(outcome.Failures);
        Assert.Equal(["none-seed1", "none-seed2"], outcome.Results.Select(r => r.Name));
        Assert.Contains(reports, r => r.Name == "none-seed1" && r.Status.Contains("retrying once from epoch 1"));
        // The retry resumed: epoch 1 was trained once, epoch 2 after it, and the run's log holds each once.
        var seed1Epochs = reports.Where(r => r.Name == "none-seed1" && r.Epoch is not null).Select(r => r.Epoch!.Epoch);
        Assert.Equal([1, 2], seed1Epochs);
        Assert.Equal(2, File.ReadAllLines(_temp.File("grid/runs/none-seed1/log.jsonl")).Length);
    }

    [Fact]
    public void A_run_that_libtorch_stops_twice_is_reported_and_the_grid_goes_on()
    {
        var (outcome, reports) = Run("none-seed1", failures: 2);

        var failure = Assert.Single(outcome.Failures);
        Assert.Equal("none-seed1", failure.Name);
        Assert.StartsWith("libtorch: Expected false to be true", failure.Reason);
        Assert.Equal(["none-seed2"], outcome.Results.Select(r => r.Name));
        Assert.Single(reports, r => r.Status.StartsWith("libtorch failed"));
    }
}
