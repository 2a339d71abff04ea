namespace Fergan.Cli.Infrastructure;

/// <summary>
/// The user's Ctrl+C and an optional --time-limit as one token for a trainer. Both stop training cleanly; only the
/// user's cancellation is then reported as such (exit code 130), a reached time limit is a normal stop.
/// </summary>
internal sealed class TimeLimit : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _user;

    private TimeLimit(CancellationTokenSource source, CancellationToken user)
    {
        _source = source;
        _user = user;
    }

    public CancellationToken Token => _source.Token;

    public static TimeLimit Start(double? minutes, CancellationToken user)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(user);
        if (minutes is { } m)
        {
            source.CancelAfter(TimeSpan.FromMinutes(m));
        }
        return new TimeLimit(source, user);
    }

    public void ThrowIfUserCancelled() => _user.ThrowIfCancellationRequested();

    public void Dispose() => _source.Dispose();
}
