using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Tensors;

/// <summary>
/// Weights files in the precision a model card names: float32 as trained, or float16 for models stored at half the
/// size (the bundled ones). Modules always compute in float32; only the file differs. Shared by classifiers and
/// generators, whose cards both carry a weights precision.
/// </summary>
internal static class StoredWeights
{
    public const string Float32 = "float32", Float16 = "float16";

    /// <summary>
    /// Loads <paramref name="path"/>, stored in <paramref name="precision"/>, into a float32 module still on the CPU (a
    /// model being opened; a training run's module, held by its optimiser, loads with <see cref="LoadInPlace"/>).
    /// </summary>
    public static void Load(nn.Module module, string path, string precision)
    {
        if (precision == Float16)
        {
            module.to(ScalarType.Float16); // a float16 file loads only into float16 parameters
            module.load(path, strict: true);
            module.to(ScalarType.Float32);
        }
        else
        {
            module.load(path, strict: true);
        }
    }

    /// <summary>
    /// Opens a stored model: builds it with <paramref name="create"/>, loads <paramref name="path"/> (stored in
    /// <paramref name="precision"/>), and returns it on <paramref name="target"/> in evaluation mode. A file that does not
    /// fit the network (damaged, or another architecture's) is disposed of and reported as
    /// <paramref name="describeFailure"/>(libtorch's message).
    /// </summary>
    public static T Open<T>(Func<T> create, string path, string precision, Device target, Func<string, string> describeFailure)
        where T : nn.Module
    {
        var module = create();
        try
        {
            Load(module, path, precision);
        }
        catch (Exception e) when (e is not FerganException and not OutOfMemoryException)
        {
            module.Dispose();
            throw new FerganException(describeFailure(e.Message));
        }
        module.to(target);
        module.eval();
        return module;
    }

    /// <summary>
    /// Loads a weights file written by <c>Module.save</c> into <paramref name="module"/>'s own tensors, wherever they
    /// live, keeping every parameter and buffer the same tensor object: the resume path of a training run, whose
    /// optimisers hold its parameters (FlatSgd's views of its flat buffer; Adam's states).
    /// </summary>
    /// <remarks>
    /// Why not <c>Module.load</c>: on a module that is not on the CPU it moves the module to the CPU, reads, and moves it
    /// back, which replaces (and disposes) every parameter. An optimiser built before that updates tensors the module no
    /// longer uses, or fails on their empty handles: every classifier checkpoint of the 2026-11-27 H100 grid failed to
    /// resume with "Tensor invalid -- empty handle". Reading entry by entry copies each one into place instead (TorchSharp
    /// reads a device tensor's bytes through a CPU copy). Same file format, same strictness: every entry's name, type
    /// and shape must match the module's.
    /// </remarks>
    /// <exception cref="InvalidDataException">The file is damaged, cut short, or another network's; the message names
    /// the file by its name alone (callers name the checkpoint folder).</exception>
    public static void LoadInPlace(nn.Module module, string path)
    {
        var file = Path.GetFileName(path);
        var targets = module.state_dict();
        using var reader = new BinaryReader(File.OpenRead(path));
        try
        {
            var count = ReadLeb128(reader);
            if (count != targets.Count)
            {
                throw new InvalidDataException($"{file} is damaged or another network's weights: it lists {count} tensors, the network has {targets.Count}.");
            }
            using var noGrad = no_grad();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                if (!targets.TryGetValue(name, out var target))
                {
                    throw new InvalidDataException($"{file} is damaged or another network's weights: it holds a tensor named '{name}', which the network does not have.");
                }
                target.Load(reader); // checks type and shape; a device tensor is read through a CPU copy and copied in
            }
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{file} ends early (cut short while it was written or copied).");
        }
        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException($"{file} goes on after the network's last tensor: damaged or another network's weights.");
        }
    }

    /// <summary>The unsigned LEB128 integers of TorchSharp's weights format (its own reader is internal).</summary>
    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 63)
            {
                throw new InvalidDataException("a length in the weights file is malformed.");
            }
            var b = reader.ReadByte();
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="source"/>'s weights as float16 to <paramref name="path"/> (atomically), through
    /// <paramref name="scratch"/>, a fresh module of the same architecture, so the source stays float32.
    /// </summary>
    public static void SaveHalf(nn.Module source, nn.Module scratch, string path)
    {
        scratch.load_state_dict(source.state_dict());
        scratch.to(ScalarType.Float16);
        Training.RunDirectory.WriteAtomically(path, temp => scratch.save(temp));
    }
}
