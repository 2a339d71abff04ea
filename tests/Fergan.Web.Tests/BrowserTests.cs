using System.Diagnostics;
using Fergan.Tests;
using SkiaSharp;

namespace Fergan.Web.Tests;

/// <summary>
/// The upload page in a real browser: Debian's chromium driven by playwright-core (tests/browser/upload.mjs) against
/// the app on a loopback port. Skipped, with the reason, where chromium, Node.js or the npm packages are missing;
/// .ci/run installs them and sets FERGAN_REQUIRE_BROWSER=1, which turns a skip into a failure.
/// </summary>
public sealed class BrowserTests
{
    private static string Root => SharedData.RepositoryRoot!;
    private static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";

    [Fact]
    public async Task Uploading_a_photo_shows_a_label_and_probability_bars_per_face_and_a_photo_over_the_limit_is_refused_with_the_limit()
    {
        var script = Path.Combine(Root, "tests", "browser", "upload.mjs");
        var missing = new List<string>();
        if (!File.Exists(Chromium)) missing.Add($"chromium ({Chromium}; apt-get install chromium)");
        if (FindOnPath("node") is null) missing.Add("Node.js (node)");
        if (!Directory.Exists(Path.Combine(Root, "tests", "browser", "node_modules", "playwright-core"))) missing.Add("playwright-core (npm ci --prefix tests/browser)");
        if (missing.Count > 0)
        {
            var reason = "browser test needs " + string.Join(", ", missing);
            Assert.False(Environment.GetEnvironmentVariable("FERGAN_REQUIRE_BROWSER") == "1", reason);
            Assert.Skip(reason);
        }

        // A 1 MB upload limit: the sample photo (120 KB) is under it, a 2 MB file over it, which the page must refuse
        // itself with the limit in the message (the server would drop the connection: a bare "failed fetch").
        await using var server = await TestServer.StartAsync(new WebOptions { MaxUploadBytes = 1024 * 1024 });
        using var temp = new TempDirectory();
        var screenshot = temp.File("upload.png");
        var photo = Path.Combine(Root, "samples", "photos", "sample5.jpg");
        var tooLarge = temp.File("too-large.jpg");
        File.WriteAllBytes(tooLarge, new byte[2 * 1024 * 1024]);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, server.Client.BaseAddress!.ToString(), photo, "5", screenshot, tooLarge }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"browser test failed:\n{await stderr}\n{await stdout}");
        using var shot = SKBitmap.Decode(screenshot);
        Assert.NotNull(shot);
        Assert.True(shot.Width >= 1280 && shot.Height >= 600, $"screenshot is {shot.Width}x{shot.Height}");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
