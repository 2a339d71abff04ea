using System.ComponentModel;
using Fergan.Web;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Commands.Photos;

public sealed class ServeSettings : CommandSettings
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    [CommandOption("--urls <URLS>")]
    [Description("Where to listen (semicolon-separated). Default: " + DefaultUrls + ", loopback only; use http://0.0.0.0:5000 to serve the network.")]
    public string? Urls { get; init; }

    [CommandOption("--port <PORT>")]
    [Description("Shorthand for --urls http://127.0.0.1:<PORT> (loopback).")]
    public int? Port { get; init; }

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
        Urls = Urls ?? (Port is { } port ? $"http://127.0.0.1:{port}" : DefaultUrls),
        Model = Model,
        Gan = Gan,
        Report = Report,
        MaxUploadBytes = MaxUploadMb * 1024L * 1024,
        MaxConcurrentPredictions = MaxConcurrent ?? Environment.ProcessorCount,
    };

    public override ValidationResult Validate()
    {
        if (Port is not null && Urls is not null) return ValidationResult.Error("--port and --urls both say where to listen; give one.");
        if (Port is < 1 or > 65535) return ValidationResult.Error($"--port must be between 1 and 65535 (got {Port}).");
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
