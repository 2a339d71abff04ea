using Fergan.Data;
using Fergan.Torch.Classifier;
using Fergan.Torch.Gan.Sampling;
using Fergan.Torch.Runtime;
using Fergan.Tests;

namespace Fergan.Torch.Tests;

/// <summary>Opening a stored model folder (card + weights): a weights file that does not fit is named, and nothing is left half-built.</summary>
[Collection("Torch")]
public sealed class StoredModelTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public StoredModelTests() => TorchRuntime.Initialize();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_damaged_generator_file_is_named_with_the_card_that_describes_it()
    {
        var folder = CopyOf("gan");
        using (var intact = GanGenerator.Load(folder))
        {
            Assert.False(intact.Model.training); // opened for sampling
        }
        var weights = Path.Combine(folder, GeneratorCard.WeightsFile);
        File.WriteAllBytes(weights, [1, 2, 3]);

        var error = Assert.Throws<FerganException>(() => GanGenerator.Load(folder));

        Assert.StartsWith($"{weights} cannot be loaded into the generator that {GeneratorCard.CardFile} describes (damaged, or another architecture): ", error.Message);
    }

    [Fact]
    public void A_damaged_classifier_file_is_named_with_the_network_its_card_describes()
    {
        var folder = CopyOf("classifier");
        var card = ClassifierCard.Read(folder);
        (card with { WeightsSha256 = null }).Write(folder); // past the pin, to the load itself
        using (var intact = EmotionClassifier.Load(folder))
        {
            Assert.False(intact.Network.training);
        }
        var weights = Path.Combine(folder, ClassifierCard.WeightsFile);
        File.WriteAllBytes(weights, [1, 2, 3]);

        var error = Assert.Throws<FerganException>(() => EmotionClassifier.Load(folder));

        Assert.StartsWith($"{weights} cannot be loaded into the {card.Architecture} network that {ClassifierCard.CardFile} describes: ", error.Message);
    }

    /// <summary>A copy of the repository's bundled model folder <paramref name="name"/> (models/gan, models/classifier).</summary>
    private string CopyOf(string name)
    {
        var source = Path.Combine(SharedData.RepositoryRoot!, "models", name);
        var copy = _temp.File(name);
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        return copy;
    }
}
