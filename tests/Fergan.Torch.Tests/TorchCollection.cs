namespace Fergan.Torch.Tests;

/// <summary>Tests that use libtorch run one at a time: the runtime is process-wide and threads are shared.</summary>
[CollectionDefinition("Torch", DisableParallelization = true)]
public sealed class TorchCollection;
