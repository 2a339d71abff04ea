using System.Runtime.InteropServices;

namespace Fergan.Torch.Runtime;

/// <summary>
/// Thin access to the dynamic linker: dlopen with an explicit binding mode and its error text, and the
/// paths of libraries already mapped into this process (from /proc/self/maps).
/// </summary>
internal static class NativeLinker
{
    private const int RtldLazy = 0x1, RtldNow = 0x2;

    // glibc 2.34+ (Debian 12, Ubuntu 22.04) exports dlopen from libc.so.6 itself.
    [DllImport("libc.so.6", EntryPoint = "dlopen", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern IntPtr DlOpen(string path, int flags);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    private static extern IntPtr DlError();

    [DllImport("libc.so.6", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libc.so.6", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern IntPtr GetEnv(string name);

    /// <summary>Sets a variable in the native environment (.NET's Environment.SetEnvironmentVariable does not reach getenv).</summary>
    public static void SetEnvironment(string name, string value) => SetEnv(name, value, 1);

    public static string? GetEnvironment(string name) => Marshal.PtrToStringAnsi(GetEnv(name));

    /// <summary>
    /// Opens a library. With <paramref name="bindNow"/> every symbol is resolved immediately, so a missing symbol
    /// is an error message here instead of a crash at its first call.
    /// </summary>
    public static IntPtr Open(string path, bool bindNow, out string? error)
    {
        var handle = DlOpen(path, bindNow ? RtldNow : RtldLazy);
        error = handle == IntPtr.Zero ? Marshal.PtrToStringAnsi(DlError()) ?? "unknown dlopen error" : null;
        return handle;
    }

    /// <summary>The file behind a library already loaded in this process, matched by soname prefix (e.g. libstdc++.so.6).</summary>
    public static string? LoadedPath(string soname)
    {
        const string Maps = "/proc/self/maps";
        if (!File.Exists(Maps))
        {
            return null;
        }
        foreach (var line in File.ReadLines(Maps))
        {
            var slash = line.IndexOf('/');
            if (slash < 0)
            {
                continue;
            }
            var path = line[slash..];
            if (Path.GetFileName(path).StartsWith(soname, StringComparison.Ordinal))
            {
                return path;
            }
        }
        return null;
    }
}
