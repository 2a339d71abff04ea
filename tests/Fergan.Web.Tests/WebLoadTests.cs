using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Fergan.Data;
using Fergan.Tests;

namespace Fergan.Web.Tests;

public sealed class WebLoadTests
{
    private static byte[] Sample1 => File.ReadAllBytes(Path.Combine(SharedData.RepositoryRoot!, "samples", "photos", "sample1.jpg"));

    [Fact]
    public async Task Concurrent_uploads_all_finish_and_a_full_queue_answers_503_not_a_hang()
    {
        // One slot and a 1 ms queue: of 12 simultaneous uploads some must wait too long. Each gets 200 or 503 with a
        // Retry-After, never a 500 or a hung request; at least one is served.
        await using var server = await TestServer.StartAsync(new WebOptions { MaxConcurrentPredictions = 1, QueueTimeout = TimeSpan.FromMilliseconds(1) });
        var bytes = Sample1;
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            using var response = await server.Client.PostAsync("/api/predict", content);
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter is not null);
        }));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable), r => Assert.True(r.RetryAfter));
    }

    [Fact]
    public async Task The_gan_endpoint_draws_a_png_grid_from_the_bundled_generator()
    {
        await using var server = await TestServer.StartAsync();
        using var response = await server.Client.GetAsync("/api/gan/sample?class=disgust&count=4&seed=7");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        // Same seed, same faces: the endpoint is reproducible.
        Assert.Equal(png, await server.Client.GetByteArrayAsync("/api/gan/sample?class=disgust&count=4&seed=7"));
    }

    [Fact]
    public async Task The_gan_facts_are_the_bundled_generator_cards()
    {
        // The GAN page states how often the reference reads the requested emotion from GET /api/gan; a fixed
        // sentence there had gone stale ("does not yet follow the requested emotion") when a better generator came.
        await using var server = await TestServer.StartAsync();
        var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot!, "models", "gan", "generator.json"))).RootElement;
        var metrics = card.GetProperty("metrics");
        var facts = JsonDocument.Parse(await server.Client.GetStringAsync("/api/gan")).RootElement;
        Assert.True(facts.GetProperty("measured").GetBoolean());
        Assert.Equal(card.GetProperty("step").GetInt32(), facts.GetProperty("step").GetInt32());
        Assert.Equal(metrics.GetProperty("label_fidelity").GetDouble(), facts.GetProperty("label_fidelity").GetDouble());
        Assert.Equal(metrics.GetProperty("classification_accuracy_score").GetDouble(), facts.GetProperty("classification_accuracy_score").GetDouble());
        var perEmotion = facts.GetProperty("label_fidelity_per_emotion");
        Assert.Equal(Emotions.Names, perEmotion.EnumerateObject().Select(p => p.Name));
        Assert.All(Emotions.Names, name => Assert.Equal(metrics.GetProperty("label_fidelity_" + name).GetDouble(), perEmotion.GetProperty(name).GetDouble()));
    }

    [Fact]
    public async Task A_generator_without_measurements_says_so_and_a_damaged_card_is_named()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "generator.json"), """{ "step": 1200, "seed": 7 }""");
        await using (var server = await TestServer.StartAsync(new WebOptions { Gan = temp.Path }))
        {
            var facts = JsonDocument.Parse(await server.Client.GetStringAsync("/api/gan")).RootElement;
            Assert.False(facts.GetProperty("measured").GetBoolean());
            Assert.Equal(1200, facts.GetProperty("step").GetInt32());
            Assert.Equal(JsonValueKind.Null, facts.GetProperty("label_fidelity").ValueKind);
        }

        File.WriteAllText(Path.Combine(temp.Path, "generator.json"), "{ \"step\": ");
        await using (var server = await TestServer.StartAsync(new WebOptions { Gan = temp.Path }))
        {
            using var response = await server.Client.GetAsync("/api/gan");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("generator.json is not valid JSON", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_report_folder_serves_its_files_by_name_and_nothing_outside_it()
    {
        using var temp = new TempDirectory();
        var report = Path.Combine(temp.Path, "report");
        Directory.CreateDirectory(report);
        File.WriteAllText(Path.Combine(report, "report.html"), "<html><body>evaluation of the test model</body></html>");
        File.WriteAllBytes(Path.Combine(report, "confusion.png"), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        File.WriteAllText(Path.Combine(temp.Path, "secret.txt"), "outside the report folder");
        await using var server = await TestServer.StartAsync(new WebOptions { Report = report });

        Assert.Contains("evaluation of the test model", await server.Client.GetStringAsync("/report"));
        using var png = await server.Client.GetAsync("/report/files/confusion.png");
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        foreach (var path in new[] { "/report/files/..%2Fsecret.txt", "/report/files/%2E%2E%2Fsecret.txt", "/report/files/..%5Csecret.txt", "/report/files/.hidden" })
        {
            using var response = await server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("outside the report folder", await response.Content.ReadAsStringAsync());
        }
    }
}
