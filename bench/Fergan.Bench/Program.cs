using System.Diagnostics;
using System.Globalization;
using Fergan.Data;
using Fergan.Data.Loading;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

// Training-step overhead of Fergan's classifier pipeline against libtorch alone, same network, batch and optimiser:
//   libtorch   one fixed batch already on the device: zero_grad, forward, loss, backward, step (the ceiling);
//   fergan     the trainer's step: batch gathered from the device-resident split, on-device augmentation,
//              per-step learning rate, label-smoothed loss, the same optimiser.
// Medians of --repeats timed windows of --steps steps each, after --warmup steps.
// Usage: dotnet run -c Release --project bench/Fergan.Bench -- [--arch vgg] [--width 16] [--batch 64] [--steps 20]
//        [--repeats 3] [--data synthetic:3589] [--augment on|off] [--device cpu] [--libtorch DIR]
var arguments = ParseArguments(args);
string Get(string name, string fallback) => arguments.TryGetValue(name, out var v) ? v : fallback;
var runtime = TorchRuntime.Initialize(new TorchRuntimeOptions { LibTorch = arguments.GetValueOrDefault("libtorch"), Device = Get("device", "cpu") });
var options = new ClassifierOptions
{
    Architecture = new ClassifierArchitecture(Enum.Parse<ClassifierKind>(Get("arch", "vgg"), ignoreCase: true), int.Parse(Get("width", "16"), CultureInfo.InvariantCulture)),
    BatchSize = int.Parse(Get("batch", "64"), CultureInfo.InvariantCulture),
    Device = runtime.Device,
    Augment = Get("augment", "on") == "off" ? ClassifierAugment.Off : new ClassifierAugment(),
};
var steps = int.Parse(Get("steps", "20"), CultureInfo.InvariantCulture);
var repeats = int.Parse(Get("repeats", "3"), CultureInfo.InvariantCulture);
var warmup = int.Parse(Get("warmup", "3"), CultureInfo.InvariantCulture);
var device = TorchRuntime.Device(runtime.Device);
var faces = DatasetLoader.Load(Get("data", "synthetic:3589"), new DatasetOptions()).Faces;
var training = faces.IndicesOf(DataSplit.Training);

manual_seed(1);
using var model = options.Architecture.Create();
model.to(device).train();
var optimizer = optim.SGD(model.parameters(), options.LearningRate, options.Momentum, weight_decay: options.WeightDecay, nesterov: true);
using var batches = new TrainingBatches(faces, training, options, device, generator: null);

using var fixedImages = rand([options.BatchSize, 1, FaceImage.Size, FaceImage.Size], device: device);
using var fixedLabels = randint(0, Emotions.Count, [options.BatchSize], dtype: ScalarType.Int64, device: device);
void LibTorchStep(int _)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    nn.functional.cross_entropy(model.call(fixedImages), fixedLabels).backward();
    optimizer.step();
}

using var order = batches.EpochOrder(new Generator(1));
void FerganStep(int k)
{
    using var scope = NewDisposeScope();
    foreach (var group in optimizer.ParamGroups)
    {
        group.LearningRate = options.LearningRate * (0.5 + 0.5 * Math.Cos(k * 0.01)); // a per-step schedule, as in training
    }
    var (images, labels) = batches.Batch(order, k % batches.BatchesPerEpoch);
    var logits = model.call(BatchAugmentation.Apply(images, options.Augment));
    var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: options.LabelSmoothing);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
}

double Rate(Action<int> step)
{
    for (var k = 0; k < warmup; k++)
    {
        step(k);
    }
    var rates = new List<double>();
    for (var r = 0; r < repeats; r++)
    {
        if (device.type == DeviceType.CUDA) { cuda.synchronize(); }
        var watch = Stopwatch.StartNew();
        for (var k = 0; k < steps; k++)
        {
            step(k);
        }
        if (device.type == DeviceType.CUDA) { cuda.synchronize(); }
        rates.Add(steps * options.BatchSize / watch.Elapsed.TotalSeconds);
    }
    return rates.Order().ElementAt(rates.Count / 2);
}

var libtorch = Rate(LibTorchStep);
var fergan = Rate(FerganStep);
Console.WriteLine($"{options.Architecture} batch {options.BatchSize} on {runtime.Device} ({runtime.Threads} threads), median of {repeats} x {steps} steps:");
Console.WriteLine($"  libtorch alone (fixed batch):         {libtorch,9:F0} images/s");
Console.WriteLine($"  fergan trainer step (data + augment): {fergan,9:F0} images/s  ({fergan / libtorch:P0} of libtorch)");
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"expected --name value pairs, got {args[i]}");
        }
        result[args[i][2..]] = args[i + 1];
    }
    return result;
}
