using Spectre.Console;
using Spectre.Console.Cli;

namespace Fergan.Cli.Infrastructure;

/// <summary>Turns exceptions into one readable message and an exit code; stack traces only with FERGAN_DEBUG=1.</summary>
internal static class ErrorReporter
{
    public static int Report(IAnsiConsole errors, Exception exception)
    {
        var debug = Environment.GetEnvironmentVariable("FERGAN_DEBUG") is "1" or "true";
        switch (exception)
        {
            case FerganException e:
                errors.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                break;
            case CommandAppException e:
                errors.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)} (see --help)");
                break;
            case OperationCanceledException:
                errors.MarkupLine("[yellow]cancelled[/]");
                return FerganApp.Cancelled;
            default:
                errors.MarkupLine($"[red]unexpected error:[/] {Markup.Escape(exception.GetType().Name)}: {Markup.Escape(exception.Message)}");
                if (!debug)
                {
                    errors.MarkupLine("[grey]Set FERGAN_DEBUG=1 to see the stack trace, and please report it.[/]");
                }
                break;
        }
        if (debug)
        {
            errors.WriteLine(exception.ToString());
        }
        return exception is FerganException or CommandAppException ? FerganApp.UserError : FerganApp.Unexpected;
    }
}
