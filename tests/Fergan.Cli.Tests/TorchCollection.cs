namespace Fergan.Cli.Tests;

/// <summary>
/// Commands that run libtorch (gan, train, evaluate, experiment, export, doctor) run one test at a time: libtorch's
/// seeds and thread pool are process-wide, and a CI run once failed with a libtorch error inside a GAN training while
/// a classifier trained on another test thread.
/// </summary>
[CollectionDefinition("Torch", DisableParallelization = true)]
public sealed class TorchCollection;
