using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Losses;

/// <summary>The adversarial losses Fergan offers.</summary>
public enum AdversarialLoss
{
    /// <summary>Hinge loss (SNGAN, BigGAN): D pushes real scores above 1 and fake scores below -1.</summary>
    Hinge,

    /// <summary>The non-saturating logistic loss of the original GAN.</summary>
    NonSaturating,
}

/// <summary>A discriminator loss and a generator loss that belong together.</summary>
public sealed record GanLossPair(Func<Tensor, Tensor, Tensor> Discriminator, Func<Tensor, Tensor> Generator);

/// <summary>Pure loss functions on discriminator scores, one pair per <see cref="AdversarialLoss"/>.</summary>
public static class GanLosses
{
    public static Tensor DiscriminatorHinge(Tensor real, Tensor fake) => (1 - real).relu().mean() + (1 + fake).relu().mean();

    public static Tensor GeneratorHinge(Tensor fake) => fake.mean().neg();

    public static Tensor DiscriminatorLogistic(Tensor real, Tensor fake) =>
        nn.functional.softplus(real.neg()).mean() + nn.functional.softplus(fake).mean();

    public static Tensor GeneratorLogistic(Tensor fake) => nn.functional.softplus(fake.neg()).mean();

    public static GanLossPair For(AdversarialLoss kind) => kind switch
    {
        AdversarialLoss.Hinge => new(DiscriminatorHinge, GeneratorHinge),
        AdversarialLoss.NonSaturating => new(DiscriminatorLogistic, GeneratorLogistic),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown adversarial loss."),
    };
}
