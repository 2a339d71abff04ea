namespace Fergan.Vision;

/// <summary>
/// The message for an ONNX model that is not there. The usual cause is a folder from `fergan train` or `fergan gan
/// train` (TorchSharp weights and a card, no ONNX yet) given to predict or serve, so when the folder holds that
/// card the message gives the exact export command for it instead of a generic one.
/// </summary>
internal static class MissingExport
{
    /// <param name="what">"classifier" or "generator".</param>
    /// <param name="path">The .onnx file that was looked for.</param>
    /// <param name="cardFile">The card a trained folder of this kind holds (the names Fergan.Torch writes).</param>
    /// <param name="exportCommand">The `fergan export` subcommand that makes the file.</param>
    public static string Message(string what, string path, string cardFile, string exportCommand)
    {
        var folder = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        return File.Exists(Path.Combine(folder, cardFile))
            ? $"{folder} holds a trained {what} but not its ONNX export {path} (predict and serve run ONNX Runtime); create it with `fergan export {exportCommand} --model {folder} --out {path}`."
            : $"the {what} model {path} does not exist; create one with `fergan export {exportCommand} --model <trained {what} folder> --out {path}`.";
    }
}
