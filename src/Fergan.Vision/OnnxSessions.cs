using Microsoft.ML.OnnxRuntime;

namespace Fergan.Vision;

/// <summary>The ONNX Runtime session settings every Fergan model loads with.</summary>
public static class OnnxSessions
{
    /// <summary>
    /// Errors only in ONNX Runtime's log (its warnings about unused initialisers would reach users' consoles), and
    /// <paramref name="intraOpThreads"/> threads per call; 0 keeps ONNX Runtime's default, one per physical core.
    /// </summary>
    public static SessionOptions Quiet(int intraOpThreads = 0)
    {
        var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }
        return options;
    }
}
