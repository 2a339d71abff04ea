using Fergan.Cli;
using Spectre.Console;

// The whole program: build the command tree, run it, and let Ctrl+C cancel the running command.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
return await FerganApp.Create(AnsiConsole.Console, errors).RunAsync(args, cancellation.Token);
