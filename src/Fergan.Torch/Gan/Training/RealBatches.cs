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
    private readonly Tensor _images;      // [N, 1, 48, 48] uint8 on the device
    private readonly Tensor _labels;      // [N] int64 on the device
    private readonly Tensor _byClass;     // [N] int64: positions into _images, grouped by emotion
    private readonly Tensor _classStart;  // [7] int64: where each emotion's group starts in _byClass
    private readonly Tensor _classCount;  // [7] int64: its size
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
        var byClass = Emotions.All.Select(e => Enumerable.Range(0, indices.Length).Where(k => data.Label(indices[k]) == e).Select(k => (long)k).ToArray()).ToArray();
        _byClass = tensor(byClass.SelectMany(g => g).ToArray(), device: device);
        _classCount = tensor(byClass.Select(g => (long)g.Length).ToArray(), device: device);
        _classStart = tensor(byClass.Select(g => (long)g.Length).Prepend(0L).SkipLast(1).ToArray(), device: device).cumsum(0);
        _count = indices.Length;
        _options = options;
        _device = device;
    }

    /// <summary>
    /// The next batch, drawn on the device from libtorch's generator (seeded by the trainer): a host-drawn index
    /// copied in would make the host wait for the GPU twice a step.
    /// </summary>
    public (Tensor Images, Tensor Labels) Next()
    {
        var n = _options.BatchSize;
        Tensor index;
        if (_options.ClassBalanced)
        {
            // An emotion uniformly, then a face of it uniformly.
            var classes = randint(0, Emotions.Count, [n], dtype: ScalarType.Int64, device: _device);
            var counts = _classCount.index_select(0, classes);
            var position = rand([n], device: _device).mul(counts).to_type(ScalarType.Int64).minimum(counts - 1);
            index = _byClass.index_select(0, _classStart.index_select(0, classes).add(position));
        }
        else
        {
            index = randint(0, _count, [n], dtype: ScalarType.Int64, device: _device);
        }
        var images = _images.index_select(0, index).to_type(ScalarType.Float32).div_(127.5f).sub_(1f);
        if (_options.FlipReal)
        {
            var flip = rand([n, 1, 1, 1], device: _device).lt(0.5);
            images = where(flip, images.flip(3), images);
        }
        return (images, _labels.index_select(0, index));
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
        _byClass.Dispose();
        _classStart.Dispose();
        _classCount.Dispose();
    }
}
