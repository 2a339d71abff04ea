using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Training;

/// <summary>
/// The files of one classifier run:
/// <code>
/// options.json                          resolved options
/// data.json                             the data's source and its Training and PublicTest faces' fingerprints (checked on resume)
/// log.jsonl                             one line per epoch (train and validation loss/accuracy, macro-F1, lr)
/// checkpoints/step-000012/              model, optimiser and state.json after epoch 12 (and average.bin in averaging epochs)
/// curves.png                            loss and accuracy, train and validation, per epoch
/// classifier.json, classifier.bin       the best epoch so far (selected on validation accuracy)
/// weight-average.json                   the averaging epochs' mean, scored (runs with averaging epochs)
/// </code>
/// </summary>
public sealed class ClassifierRunDirectory(string root) : RunDirectory(root)
{
    public string WeightAverageFile => Path.Combine(Root, "weight-average.json");

    public override void CheckKind()
    {
        if (File.Exists(Path.Combine(Root, Gan.Sampling.GeneratorCard.CardFile)))
        {
            throw new FerganException($"{Root} holds a GAN run ({Gan.Sampling.GeneratorCard.CardFile}), not a classifier run; resume it with `fergan gan train`, or give the classifier another --out folder.");
        }
    }
}
