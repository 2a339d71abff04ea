// Emotions of every face in a photo, from .NET, with the bundled models (ONNX Runtime; no libtorch).
// Run: dotnet run --project samples/LibraryExample -- samples/photos/sample1.jpg
using Fergan.Vision;

using var fer = FerPipeline.Load();                                 // BlazeFace + the bundled classifier
var photo = fer.Predict(File.ReadAllBytes(args[0]), new PredictOptions { Tta = false });
foreach (var face in photo.Faces)
{
    var box = face.Box;
    Console.WriteLine($"face at ({box.X:0}, {box.Y:0}) {box.Width:0}x{box.Height:0}: {face.Emotion.ToString().ToLowerInvariant()} " +
                      $"({face.Probabilities[face.Emotion]:P0})");
}
