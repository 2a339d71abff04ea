using Fergan.Data.Imaging;
using Fergan.Vision.Datasets;
using Fergan.Vision.Detection;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Photos;

/// <summary>
/// `--find-faces [DETECTOR]` of the dataset commands: what it asks for, whether that is a detector, and the face
/// finder it gives. Here, with the photo commands, because a training-only build (bench/gpu/publish.sh) has no
/// Fergan.Vision and so no option.
/// </summary>
internal static class FaceFinderOption
{
    /// <summary>One face finder per detector per process: its ONNX sessions take a while to load and serve every load.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<FaceDetectorModel, PhotoFaceCropper> Finders = new();

    /// <summary>The detector the option asks for, or null without it (<see cref="Problem"/> refuses other names).</summary>
    public static FaceDetectorModel? Detector(FlagValue<string>? option) => option is not { IsSet: true } flag ? null
        : string.IsNullOrEmpty(flag.Value) ? FaceDetectorModel.Auto
        : Enum.Parse<FaceDetectorModel>(flag.Value, ignoreCase: true);

    public static string? Problem(FlagValue<string>? option) =>
        option is { IsSet: true, Value: { Length: > 0 } name }
        && !(Enum.TryParse<FaceDetectorModel>(name, ignoreCase: true, out var model) && Enum.IsDefined(model) && !char.IsDigit(name[0]))
            ? $"--find-faces: '{name}' is not a detector; use auto, near or far."
            : null;

    public static IFaceCropper? Cropper(FlagValue<string>? option) =>
        Detector(option) is { } detector ? Finders.GetOrAdd(detector, d => PhotoFaceCropper.Load(new DetectionOptions { Detector = d })) : null;

    /// <summary>The option as an argument again (for a suggested next command), or "" without it.</summary>
    public static string Repeated(FlagValue<string>? option) => Detector(option) switch
    {
        null => "",
        FaceDetectorModel.Auto => " --find-faces",
        var d => $" --find-faces {d.Value.ToString().ToLowerInvariant()}",
    };
}
