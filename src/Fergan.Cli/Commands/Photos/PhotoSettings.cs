using System.ComponentModel;
using Fergan.Vision;
using Fergan.Vision.Detection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Photos;

/// <summary>Options shared by the photo commands (predict, demo, serve); the web API takes the same names.</summary>
public class PhotoSettings : CommandSettings
{
    [CommandOption("--model <ONNX>")]
    [Description("Exported classifier (.onnx file, or a folder holding classifier.onnx). Default: the bundled one.")]
    public string? Model { get; init; }

    [CommandOption("--detector <MODEL>")]
    [Description("BlazeFace network: auto (256 px, then 128 px if it finds nothing), near (128 px: selfies, portraits) or far (256 px: group shots).")]
    [DefaultValue(FaceDetectorModel.Auto)]
    public FaceDetectorModel Detector { get; init; } = FaceDetectorModel.Auto;

    [CommandOption("--min-face <PIXELS>")]
    [Description("Ignore faces narrower than this (photo pixels).")]
    [DefaultValue(20)]
    public int MinFace { get; init; } = 20;

    [CommandOption("--min-score <P>")]
    [Description("Face detector confidence threshold (0-1).")]
    [DefaultValue(0.6f)]
    public float MinScore { get; init; } = 0.6f;

    [CommandOption("--max-faces <N>")]
    [Description("At most this many faces per photo, the most confident first.")]
    [DefaultValue(200)]
    public int MaxFaces { get; init; } = 200;

    [CommandOption("--top-k <K>")]
    [Description("Emotions listed per face, most probable first.")]
    [DefaultValue(3)]
    public int TopK { get; init; } = 3;

    [CommandOption("--tta")]
    [Description("Ten-crop test-time augmentation per face (slightly more accurate, ten times the classifier work).")]
    public bool Tta { get; init; }

    public PredictOptions ToPredictOptions() => new()
    {
        Detection = new DetectionOptions { Detector = Detector, MinFace = MinFace, MinScore = MinScore, MaxFaces = MaxFaces },
        TopK = TopK,
        Tta = Tta,
    };

    public override ValidationResult Validate()
    {
        var problems = ToPredictOptions().Validate();
        return problems.Count > 0 ? ValidationResult.Error(string.Join("; ", problems) + ".") : base.Validate();
    }
}
