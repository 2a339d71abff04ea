using Fergan.Torch.Training;

namespace Fergan.Torch.Gan.Training;

/// <summary>
/// The files of one GAN run:
/// <code>
/// options.json                      resolved options
/// data.json                         the data's source and its Training faces' fingerprint (checked on resume)
/// log.jsonl                         one line per logged step
/// checkpoints/step-000250/          generator, discriminator, generator-ema, both optimisers, state.json
/// generators/step-000250.bin        the EMA generator of every checkpoint, kept for FID over training
/// samples/step-000250.png           fixed-noise grid, one row per emotion
/// curves.png                        losses over steps
/// generator.json, generator.bin     the EMA generator of the newest checkpoint: what `gan sample` loads
/// </code>
/// </summary>
public sealed class GanRunDirectory(string root) : RunDirectory(root)
{
    public string SamplesFolder => Path.Combine(Root, "samples");

    public override void CheckKind()
    {
        if (File.Exists(Path.Combine(Root, Classifier.ClassifierCard.CardFile)))
        {
            throw new FerganException($"{Root} holds a classifier run ({Classifier.ClassifierCard.CardFile}), not a GAN run; resume it with `fergan train`, or give the GAN another --out folder.");
        }
    }
    public string GeneratorsFolder => Path.Combine(Root, "generators");

    public string SampleGrid(int step) => Path.Combine(SamplesFolder, $"{CheckpointPrefix}{step:D6}.png");
    public string GeneratorAt(int step) => Path.Combine(GeneratorsFolder, $"{CheckpointPrefix}{step:D6}.bin");
}
