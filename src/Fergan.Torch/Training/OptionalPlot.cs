namespace Fergan.Torch.Training;

/// <summary>
/// Training plots are a convenience: on a machine without fonts (a bare GPU container has no fontconfig or DejaVu),
/// ScottPlot's font table fails to initialise. A run must not die for that; the numbers stay in log.jsonl, and the
/// curves can be drawn later from it.
/// </summary>
public static class OptionalPlot
{
    /// <summary>Runs <paramref name="draw"/>; false when plotting is unavailable on this machine.</summary>
    public static bool TryDraw(Action draw)
    {
        try
        {
            draw();
            return true;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
