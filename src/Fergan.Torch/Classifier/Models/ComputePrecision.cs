namespace Fergan.Torch.Classifier.Models;

/// <summary>The number format a classifier's forward pass computes in.</summary>
public enum ComputePrecision
{
    /// <summary>float32 throughout (TF32 matrix units on CUDA): how every bundled model and result was trained.</summary>
    Fp32,

    /// <summary>
    /// Mixed precision as PyTorch's bf16 autocast does it: convolutions and dense layers take their inputs and weights
    /// cast to bfloat16; the weights themselves, their gradients, the optimiser, batch-norm statistics and the loss stay
    /// float32. For GPUs with bfloat16 matrix units (NVIDIA Ampere and later); on a CPU without bfloat16 instructions
    /// it is slower than <see cref="Fp32"/>. No loss scaling is needed: bfloat16 keeps float32's exponent range.
    /// </summary>
    Bf16,
}
