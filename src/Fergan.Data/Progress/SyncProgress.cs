namespace Fergan.Data.Progress;

/// <summary>
/// An IProgress that reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool, so a
/// report could arrive after the work it describes). Used by the CLI, by library code that relays progress, and tests.
/// </summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
