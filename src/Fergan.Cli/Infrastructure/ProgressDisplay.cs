using Spectre.Console;

namespace Fergan.Cli.Infrastructure;

/// <summary>Where a long command reports: plain lines, and a progress bar when there is a terminal.</summary>
internal sealed class ProgressSink(IAnsiConsole console, ProgressTask? bar)
{
    /// <summary>True when a bar is shown (a terminal); without one, only lines are printed.</summary>
    public bool HasBar => bar is not null;

    public void Line(string text) => console.WriteLine(text);

    public void Update(double value, double maximum, string description)
    {
        if (bar is null)
        {
            return;
        }
        bar.MaxValue = maximum;
        bar.Value = value;
        bar.Description = Markup.Escape(description);
    }
}

/// <summary>
/// Runs a long command's work with a Spectre.Console progress bar on a terminal, or with plain lines otherwise
/// (without a terminal Spectre's bar prints bare percentages and never the final 100 %).
/// </summary>
internal static class ProgressDisplay
{
    public static T Run<T>(IAnsiConsole console, Func<ProgressSink, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return work(new ProgressSink(console, null));
        }
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var bar = ctx.AddTask("starting", maxValue: 1);
                result = work(new ProgressSink(console, bar));
                bar.Value = bar.MaxValue;
            });
        return result;
    }
}
