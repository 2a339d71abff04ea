using Fergan.Cli.Commands;
using Fergan.Cli.Commands.Classifier;
using Fergan.Cli.Commands.Gan;
#if !FERGAN_TRAINING_ONLY
using Fergan.Cli.Commands.Photos;
#endif
using Fergan.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli;

/// <summary>The command tree of `fergan`. Commands are thin: options in, one library call, rendering out.</summary>
public static class FerganApp
{
    /// <summary>Exit codes: 0 success, 1 user or data error, 2 unexpected failure, 130 cancelled.</summary>
    public const int UserError = 1, Unexpected = 2, Cancelled = 130;

    public static CommandApp Create(IAnsiConsole output, IAnsiConsole errors)
    {
        var registrar = new SimpleRegistrar();
        registrar.RegisterInstance(typeof(CliConsoles), new CliConsoles(output, errors));
        var app = new CommandApp(registrar);
        app.Configure(config =>
        {
            config.SetApplicationName("fergan");
            config.SetApplicationVersion(typeof(FerganApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            config.ConfigureConsole(output);
            config.SetExceptionHandler((exception, _) => ErrorReporter.Report(errors, exception));
            // An option no command knows is an error, not silently dropped: `train --epoch 30` would otherwise train
            // the profile's epochs, and `serve --port 8080` listen where it always does.
            config.UseStrictParsing();

            config.AddBranch("data", data =>
            {
                data.SetDescription("Inspect, split, balance and convert FER datasets.");
                data.AddCommand<DataStatsCommand>("stats")
                    .WithDescription("Counts per split and emotion, imbalance, duplicates across splits; optional bar chart.")
                    .WithExample("data", "stats", "fer2013.csv.gz", "--plot", "distribution.png")
                    .WithExample("data", "stats", "synthetic", "--json");
                data.AddCommand<DataDuplicatesCommand>("duplicates")
                    .WithDescription("Test faces that are the same picture as a Training face: byte-identical, or near (correlated pixels, mirrored copies).")
                    .WithExample("data", "duplicates", "fer2013.csv.gz", "--grid", "near-duplicates.png");
                data.AddCommand<DataBalanceCommand>("balance")
                    .WithDescription("Balance the Training split (cap each emotion at N faces, seeded) and write the result.")
                    .WithExample("data", "balance", "fer2013.csv.gz", "--strategy", "cap", "--max-per-class", "4000", "--out", "capped.fgn");
                data.AddCommand<DataPreviewCommand>("preview")
                    .WithDescription("Save a grid PNG of sample faces, one row per emotion.")
                    .WithExample("data", "preview", "synthetic", "--out", "faces.png");
                data.AddCommand<DataSynthesizeCommand>("synthesize")
                    .WithDescription("Enlarge the Training split with GAN faces (marked synthetic) up to a target per emotion.")
                    .WithExample("data", "synthesize", "--data", "fer2013.csv.gz", "--target", "balance", "--out", "balanced.fgn");
                data.AddCommand<DataExportCommand>("export")
                    .WithDescription("Write a dataset as .fgn (Fergan binary), .csv/.csv.gz (FER2013 layout) or PNG folders.")
                    .WithExample("data", "export", "synthetic", "--out", "synthetic-faces");
            });
            config.AddBranch("gan", gan =>
            {
                gan.SetDescription("Train and sample the class-conditional GAN that synthesises faces of a requested emotion.");
                gan.AddCommand<GanTrainCommand>("train")
                    .WithDescription("Train a conditional GAN; checkpoints, sample grids and curves go to --out; --resume continues.")
                    .WithExample("gan", "train", "--data", "fer2013.csv.gz", "--out", "runs/gan", "--profile", "quick")
                    .WithExample("gan", "train", "--out", "runs/gan", "--resume");
                gan.AddCommand<GanSampleCommand>("sample")
                    .WithDescription("Draw faces of one emotion from a trained generator: PNG files or one grid.")
                    .WithExample("gan", "sample", "--class", "disgust", "--count", "20", "--out", "disgust.png");
                gan.AddCommand<GanEvaluateCommand>("evaluate")
                    .WithDescription("Measure a generator against real Training faces: FID, KID, IS, label fidelity, precision/recall, optional CAS and per-checkpoint FID.")
                    .WithExample("gan", "evaluate", "--data", "fer2013.csv.gz", "--json")
                    .WithExample("gan", "evaluate", "--model", "runs/gan", "--data", "fer2013.csv.gz", "--checkpoints", "--cas");
            });
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train an emotion classifier (baseline, vgg or resnet) with a balancing strategy; selected on PublicTest; --resume continues; --init fine-tunes, --swa-epochs averages weights.")
                .WithExample("train", "--data", "fer2013.csv.gz", "--out", "runs/vgg", "--arch", "vgg", "--balance", "gan")
                .WithExample("train", "--out", "runs/vgg", "--resume");
            config.AddCommand<EvaluateCommand>("evaluate")
                .WithDescription("Score a classifier on one split: accuracy, macro-F1, per-class P/R/F1, ROC-AUC, confusion matrix, calibration (ECE), 95% CIs.")
                .WithExample("evaluate", "--model", "runs/vgg", "--data", "fer2013.csv.gz", "--split", "PrivateTest", "--exclude-train-duplicates");
            config.AddCommand<SoupCommand>("soup")
                .WithDescription("Average the weights of fine-tunes of one classifier into one (a model soup: greedy, chosen on PublicTest; uniform; or weighted), at one model's inference cost.")
                .WithExample("soup", "--model", "runs/base", "--model", "runs/fine-tune-a", "--model", "runs/fine-tune-b", "--data", "fer2013.csv.gz", "--out", "runs/soup")
                .WithExample("soup", "--model", "runs/fine-tune", "--model", "runs/base", "--recipe", "weighted", "--weights", "0.7,0.3", "--data", "fer2013.csv.gz", "--out", "runs/wise-ft");
            config.AddCommand<ExperimentCommand>("experiment")
                .WithDescription("Run a grid of classifier trainings (strategy x seed) and compare them; resumable. A run that fails is named and the rest go on (exit code 1).")
                .WithExample("experiment", "experiments/gan-ablation.json", "--out", "runs/ablation");
#if !FERGAN_TRAINING_ONLY // a training-only build (bench/gpu/publish.sh) leaves out photos and ONNX
            config.AddCommand<PredictCommand>("predict")
                .WithDescription("Find every face in photos and recognise its emotion (ONNX Runtime; no libtorch needed).")
                .WithExample("predict", "group.jpg")
                .WithExample("predict", "photos/", "--json", "--annotate", "annotated/");
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("Run predict on the bundled sample photos with the bundled models; annotated copies go to fergan-demo/.")
                .WithExample("demo");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Web app and REST API: upload or webcam photos, GAN samples, evaluation report (ONNX Runtime).")
                .WithExample("serve")
                .WithExample("serve", "--urls", "http://0.0.0.0:8080", "--report", "runs/vgg/report");
#endif
            config.AddBranch("export", export =>
            {
                export.SetDescription("Convert trained models for shipping.");
                export.AddCommand<ExportHalfCommand>("half")
                    .WithDescription("Store a classifier's or generator's weights as float16 (half the size; loads back as float32).")
                    .WithExample("export", "half", "--model", "runs/vgg", "--out", "models/classifier");
                export.AddCommand<ExportCheckpointCommand>("checkpoint")
                    .WithDescription("Make a classifier folder of one kept epoch of a training run (an epoch that selection on PublicTest did not keep).")
                    .WithExample("export", "checkpoint", "--model", "runs/finetune", "--epoch", "2", "--out", "runs/finetune-epoch2");
#if !FERGAN_TRAINING_ONLY
                export.AddCommand<ExportOnnxCommand>("onnx")
                    .WithDescription("Export a classifier to ONNX (batch norm folded), checked against TorchSharp before it is written.")
                    .WithExample("export", "onnx", "--model", "runs/vgg", "--out", "vgg.onnx");
                export.AddCommand<ExportGanOnnxCommand>("gan-onnx")
                    .WithDescription("Export a generator to ONNX (for the web app's GAN page), checked against TorchSharp before it is written.")
                    .WithExample("export", "gan-onnx", "--model", "runs/gan", "--out", "runs/gan/generator.onnx");
#endif
            });
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("Measure speed (benchmarks, kept apart from the tests).");
                bench.AddCommand<BenchStepCommand>("step")
                    .WithDescription("Classifier training step: the trainer's (data + augmentation) against libtorch alone on a fixed batch; images/s, median of windows.")
                    .WithExample("bench", "step", "--width", "64", "--batch-size", "256", "--device", "cuda");
#if !FERGAN_TRAINING_ONLY
                bench.AddCommand<BenchInferenceCommand>("inference")
                    .WithDescription("Classifier inference: TorchSharp against ONNX Runtime on the same faces, batch sizes and threads; images/s, median of windows.")
                    .WithExample("bench", "inference", "--batch-sizes", "1,64", "--repeats", "5");
#endif
            });
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Check that training can run: TorchSharp, libtorch, device, threads, a tiny training step and its resume from a checkpoint.")
                .WithExample("doctor")
                .WithExample("doctor", "--libtorch", "/opt/pytorch/torch/lib", "--device", "cuda");
        });
        return app;
    }
}

/// <summary>Standard output (results, JSON) and standard error (errors, progress) for commands.</summary>
public sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error);
