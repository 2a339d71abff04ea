using Fergan.Data;

namespace Fergan.Torch.Classifier.Models;

/// <summary>The classifier families Fergan trains.</summary>
public enum ClassifierKind
{
    /// <summary>The seed report's simple CNN: three conv/ReLU/pool blocks, one dense layer, softmax.</summary>
    Baseline,

    /// <summary>VGG-style: four stages of two 3x3 conv+BN+ReLU, max-pool and dropout, then one wide dense layer.</summary>
    Vgg,

    /// <summary>ResNet-18-style: a conv stem, four stages of two residual blocks, global average pooling, one dense layer.</summary>
    Resnet,
}

/// <summary>
/// Everything needed to rebuild a classifier network before loading its weights: family, base width (channels of
/// the first stage; later stages double it) and number of classes. Saved in every model card.
/// </summary>
public sealed record ClassifierArchitecture(ClassifierKind Kind = ClassifierKind.Vgg, int Width = 64, int Classes = 7)
{
    /// <summary>The 9.4M-parameter VGG-style net of the published FER2013 single models (64..512 channels, FC 1024).</summary>
    public static ClassifierArchitecture Vgg64 => new(ClassifierKind.Vgg, 64);

    public EmotionNet Create() => Kind switch
    {
        ClassifierKind.Baseline => new BaselineCnn(this),
        ClassifierKind.Vgg => new VggNet(this),
        ClassifierKind.Resnet => new ResNet(this),
        _ => throw new FerganException($"unknown classifier architecture {Kind}."),
    };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Width is < 4 or > 512)
        {
            errors.Add($"width must be between 4 and 512 (got {Width})");
        }
        if (Classes < 2)
        {
            errors.Add($"a classifier needs at least 2 classes (got {Classes})");
        }
        return errors;
    }

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}-{Width}";
}
