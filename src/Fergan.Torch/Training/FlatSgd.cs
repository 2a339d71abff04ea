using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Fergan.Torch.Training;

/// <summary>
/// SGD with momentum (optionally Nesterov's) and L2 weight decay, the update of TorchSharp's <c>optim.SGD</c> and
/// PyTorch's, run on all parameters at once: the parameters become views into one flat buffer, so a step is six
/// tensor operations whatever the network, where TorchSharp's SGD runs five per parameter tensor and its zero_grad
/// one more (vgg-64, 29 parameter tensors: 174 kernel launches a step).
/// </summary>
/// <remarks>
/// Why: on a GPU every launch costs the host a few microseconds, and with bf16 and channels-last the GPU's work per
/// step gets short enough for the host to become the limit (an H100 at batch 256: C# 0.73x of PyTorch, whose default
/// "foreach" SGD also updates all tensors in a few launches). Gradients are left to autograd (set to none between
/// steps, so backward hands over its result without an add) and joined with one concatenation. The optimiser state
/// is saved in TorchSharp's SGD file format, so checkpoints from before and after this class resume either way.
/// Build it after the model has moved to its device: moving replaces the parameters and would undo the views.
/// </remarks>
public sealed class FlatSgd : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly long[] _offsets;
    private readonly Tensor _values;
    private readonly Tensor _momentumBuffer;
    private readonly double _momentum;
    private readonly double _weightDecay;
    private readonly bool _nesterov;

    public FlatSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double weightDecay = 0, bool nesterov = false)
    {
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0)
        {
            throw new ArgumentException("no parameters to optimise.", nameof(parameters));
        }
        if (nesterov && momentum <= 0)
        {
            throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        }
        var first = _parameters[0];
        if (_parameters.Any(p => p.dtype != first.dtype || p.device_type != first.device_type || p.device_index != first.device_index))
        {
            throw new ArgumentException("all parameters must share one number type and device.", nameof(parameters));
        }
        LearningRate = learningRate;
        _momentum = momentum;
        _weightDecay = weightDecay;
        _nesterov = nesterov;
        _offsets = new long[_parameters.Length + 1];
        for (var i = 0; i < _parameters.Length; i++)
        {
            _offsets[i + 1] = _offsets[i] + _parameters[i].numel();
        }
        using var noGrad = no_grad();
        _values = empty(_offsets[^1], dtype: first.dtype, device: first.device);
        for (var i = 0; i < _parameters.Length; i++)
        {
            using var view = Slice(_values, i);
            view.copy_(_parameters[i]);
            _parameters[i].set_(view); // the parameter now lives in the flat buffer (same values, same shape)
        }
        // Zeros give the same first step as TorchSharp's SGD, which starts the buffer as a copy of the first update.
        _momentumBuffer = zeros_like(_values);
    }

    public double LearningRate { get; set; }

    /// <summary>All parameters, end to end (views of it are the parameters).</summary>
    internal Tensor Values => _values;

    /// <summary>Drops the gradients (as PyTorch's zero_grad(set_to_none=True)): the next backward writes them afresh.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            p.grad = null;
        }
    }

    /// <summary>
    /// One update from the current gradients. Without any gradient (no backward since <see cref="ZeroGrad"/>) nothing
    /// changes, as with TorchSharp's SGD; with only some, it refuses: TorchSharp would skip those parameters (no decay,
    /// no momentum), which one flat update cannot do.
    /// </summary>
    public void Step()
    {
        using var scope = NewDisposeScope(); // also owns the gradient handles read here
        var gradients = _parameters.Select(p => p.grad).ToArray();
        var missing = gradients.Count(g => g is null);
        if (missing == gradients.Length)
        {
            return;
        }
        if (missing > 0)
        {
            throw new InvalidOperationException($"the flat SGD updates every parameter at once, but {missing} of {gradients.Length} have no gradient (frozen or unused parameters must be left out of it).");
        }
        using var noGrad = no_grad();
        var update = cat(gradients.Select(g => g!.flatten()).ToArray());
        if (_weightDecay != 0)
        {
            update = update.add_(_values, alpha: _weightDecay);
        }
        if (_momentum != 0)
        {
            _momentumBuffer.mul_(_momentum).add_(update);
            update = _nesterov ? update.add_(_momentumBuffer, alpha: _momentum) : _momentumBuffer;
        }
        _values.add_(update, alpha: -LearningRate);
    }

    /// <summary>Saves the momentum in TorchSharp's SGD state format (one buffer per parameter).</summary>
    public void Save(string path) => WithLegacyState(states =>
    {
        for (var i = 0; i < states.Count; i++)
        {
            states[i].momentum_buffer = Slice(_momentumBuffer, i);
        }
    }, sgd => sgd.save_state_dict(path));

    /// <summary>Loads a state saved by <see cref="Save"/> or by TorchSharp's SGD for the same parameters.</summary>
    public void Load(string path) => WithLegacyState(_ => { }, sgd =>
    {
        sgd.load_state_dict(path);
        using var noGrad = no_grad();
        var states = sgd.state_dict().State.Cast<SGD.State>().ToList();
        for (var i = 0; i < states.Count; i++)
        {
            using var target = Slice(_momentumBuffer, i);
            if (states[i].momentum_buffer is { } loaded)
            {
                target.copy_(loaded);
            }
            else
            {
                target.zero_(); // saved before its first step
            }
        }
    });

    /// <summary>
    /// Runs <paramref name="use"/> on a TorchSharp SGD over the same parameters, whose states <paramref name="prepare"/>
    /// may point at views of the flat momentum; the states are detached before that optimiser is disposed, which would
    /// otherwise dispose them.
    /// </summary>
    private void WithLegacyState(Action<List<SGD.State>> prepare, Action<SGD> use)
    {
        var sgd = optim.SGD(_parameters, LearningRate, _momentum, weight_decay: _weightDecay, nesterov: _nesterov);
        var states = sgd.state_dict().State.Cast<SGD.State>().ToList();
        try
        {
            prepare(states);
            use(sgd);
        }
        finally
        {
            foreach (var state in states)
            {
                state.momentum_buffer?.Dispose();
                state.momentum_buffer = null!;
            }
            sgd.Dispose();
        }
    }

    private Tensor Slice(Tensor flat, int index) =>
        flat.narrow(0, _offsets[index], _offsets[index + 1] - _offsets[index]).view(_parameters[index].shape);

    public void Dispose()
    {
        _values.Dispose();
        _momentumBuffer.Dispose();
    }
}
