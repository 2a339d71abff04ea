using System.ComponentModel;
using Fergan.Web;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Photos;

public sealed class ServeSettings : CommandSettings
{
    [CommandOption("--urls <URLS>")]
    [Description("Where to listen (semicolon-separated). Loopback by default; use http://0.0.0.0:5000 to serve the network.")]
    [DefaultValue("http://127.0.0.1:5000")]
    public string Urls { get; init; } = "http://127.0.0.1:5000";

    [CommandOption("--model <ONNX>")]
    [Description("Exported classifier (.onnx file, or a folder holding classifier.onnx). Default: the bundled one.")]
    public string? Model { get; init; }

    [CommandOption("--gan <ONNX>")]
    [Description("Generator for the GAN samples page: a generator.onnx (from `fergan export gan-onnx`) or a folder holding one. Default: the bundled generator.")]
    public string? Gan { get; init; }

    [CommandOption("--report <DIR>")]
    [Description("A folder written by `fergan evaluate --report`, shown at /report. Default: the scores recorded in the classifier's card.")]
    public string? Report { get; init; }

    [CommandOption("--max-upload <MB>")]
    [Description("Largest upload accepted, in MB (larger: 413).")]
    [DefaultValue(16)]
    public int MaxUploadMb { get; init; } = 16;

    [CommandOption("--max-concurrent <N>")]
    [Description("Photos analysed at once; further uploads queue (30 s, then 503). Default: one per core.")]
    public int? MaxConcurrent { get; init; }

    public WebOptions ToWebOptions() => new()
    {
        Urls = Urls,
        Model = Model,
        Gan = Gan,
        Report = Report,
        MaxUploadBytes = MaxUploadMb * 1024L * 1024,
        MaxConcurrentPredictions = MaxConcurrent ?? Environment.ProcessorCount,
    };

    public override ValidationResult Validate()
    {
        var problems = ToWebOptions().Validate();
        if (Report is not null && !Directory.Exists(Report)) problems = [.. problems, $"--report {Report} is not a folder"];
        return problems.Count > 0 ? ValidationResult.Error(string.Join("; ", problems) + ".") : ValidationResult.Success();
    }
}

/// <summary>`fergan serve`: the web app and REST API until Ctrl+C.</summary>
public sealed class ServeCommand(CliConsoles consoles) : Command<ServeSettings>
{
    public override int Execute(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        using var app = FerganWebApp.Build(settings.ToWebOptions());
        app.StartAsync(cancellationToken).GetAwaiter().GetResult();
        foreach (var url in app.Urls)
        {
            consoles.Error.MarkupLine($"fergan: serving on [bold]{Markup.Escape(url)}[/] (pages /, /gan, /report; API /api/predict, /api/gan/sample, /health, /openapi/v1.json). Ctrl+C stops.");
        }
        app.WaitForShutdownAsync(cancellationToken).GetAwaiter().GetResult();
        return 0;
    }
}
