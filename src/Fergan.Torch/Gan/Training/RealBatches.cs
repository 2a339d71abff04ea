using Fergan.Data;
using Fergan.Torch.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Gan.Training;

/// <summary>
/// Real training batches for the discriminator: the Training split held once on the device as bytes, batches
/// drawn with every emotion equally likely (or in proportion to the data), scaled to [-1, 1], randomly mirrored.
/// </summary>
internal sealed class RealBatches : IDisposable
{
    private readonly Tensor _images;  // [N, 1, 48, 48] uint8 on the device
    private readonly Tensor _labels;  // [N] int64 on the device
    private readonly int[][] _byClass;
    private readonly int _count;
    private readonly GanOptions _options;
    private readonly Device _device;

    public RealBatches(FaceSet data, GanOptions options, Device device)
    {
        var indices = data.IndicesOf(DataSplit.Training);
        if (indices.Length < options.BatchSize)
        {
            throw new FerganException($"the Training split has {indices.Length} faces, fewer than one batch ({options.BatchSize}).");
        }
        var missing = Emotions.All.Where(e => indices.All(i => data.Label(i) != e)).Select(e => e.Name()).ToList();
        if (missing.Count > 0)
        {
            throw new FerganException($"the Training split has no {string.Join(", ", missing)} faces; a conditional GAN needs examples of every emotion.");
        }
        using (var scope = NewDisposeScope())
        {
            _images = FaceTensors.Bytes(data, indices, device).MoveToOuterDisposeScope();
        }
        _labels = FaceTensors.Labels(data, indices, device);
        _byClass = Emotions.All.Select(e => Enumerable.Range(0, indices.Length).Where(k => data.Label(indices[k]) == e).ToArray()).ToArray();
        _count = indices.Length;
        _options = options;
        _device = device;
    }

    public (Tensor Images, Tensor Labels) Next(Random random)
    {
        var picks = new long[_options.BatchSize];
        for (var b = 0; b < picks.Length; b++)
        {
            if (_options.ClassBalanced)
            {
                var members = _byClass[random.Next(_byClass.Length)];
                picks[b] = members[random.Next(members.Length)];
            }
            else
            {
                picks[b] = random.Next(_count);
            }
        }
        var index = tensor(picks, device: _device);
        var images = _images.index_select(0, index).to_type(ScalarType.Float32).div_(127.5f).sub_(1f);
        if (_options.FlipReal)
        {
            var flip = rand([picks.Length, 1, 1, 1], device: _device).lt(0.5);
            images = where(flip, images.flip(3), images);
        }
        return (images, _labels.index_select(0, index));
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }
}
