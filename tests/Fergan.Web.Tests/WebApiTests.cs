using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Fergan.Data;
using Fergan.Tests;
using SkiaSharp;

namespace Fergan.Web.Tests;

/// <summary>The REST API over real HTTP on loopback: the happy path, and every kind of bad input.</summary>
public sealed class WebApiTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient Client => _server.Client;
    private static string Photos => Path.Combine(SharedData.RepositoryRoot!, "samples", "photos");
    private static byte[] Sample1 => File.ReadAllBytes(Path.Combine(Photos, "sample1.jpg"));

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(new WebOptions { MaxUploadBytes = 2 * 1024 * 1024 });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static MultipartFormDataContent Form(byte[] bytes, string name = "photo.jpg", string field = "image")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, field, name);
        return form;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpContent content, string query = "", bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/predict" + query) { Content = content };
        request.Headers.ExpectContinue = expectContinue;
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    [Fact]
    public async Task Health_says_ok_and_names_the_models()
    {
        using var json = JsonDocument.Parse(await Client.GetStringAsync("/health"));
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.EndsWith("classifier.onnx", json.RootElement.GetProperty("classifier").GetString());
        Assert.Equal(2 * 1024 * 1024, json.RootElement.GetProperty("max_upload_bytes").GetInt64()); // this server's limit (InitializeAsync)
    }

    [Fact]
    public async Task Predict_returns_every_face_in_the_cli_shape()
    {
        var (status, body) = await Post(Form(Sample1, "sample1.jpg"), "?top-k=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("sample1.jpg", body.GetProperty("path").GetString());
        Assert.Equal(1024, body.GetProperty("width").GetInt32());
        var faces = body.GetProperty("faces");
        Assert.Equal(3, faces.GetArrayLength());
        var face = faces[0];
        Assert.Equal(4, face.GetProperty("box").GetArrayLength());
        Assert.Equal(6, face.GetProperty("keypoints").GetArrayLength());
        Assert.Equal(2, face.GetProperty("top").GetArrayLength());
        Assert.Equal(Emotions.Count, face.GetProperty("probabilities").EnumerateObject().Count());
    }

    [Fact]
    public async Task Predict_takes_a_raw_image_body_and_options_from_the_form()
    {
        var raw = new ByteArrayContent(Sample1);
        raw.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        var (status, body) = await Post(raw, "?max-faces=1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("faces").GetArrayLength());

        var form = Form(Sample1);
        form.Add(new StringContent("2"), "max-faces");
        (status, body) = await Post(form);
        Assert.Equal(2, body.GetProperty("faces").GetArrayLength());
    }

    [Fact]
    public async Task A_photo_without_faces_gives_an_empty_list()
    {
        using var wall = new SKBitmap(new SKImageInfo(320, 240, SKColorType.Rgba8888, SKAlphaType.Opaque));
        wall.Erase(new SKColor(90, 120, 150));
        var (status, body) = await Post(Form(Vision.Annotation.PhotoAnnotator.Encode(wall), "wall.png"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("faces").GetArrayLength());
    }

    public static TheoryData<string, byte[], string> UnreadableUploads() => new()
    {
        { "empty.jpg", [], "empty" },
        { "notes.jpg", "just some text"u8.ToArray(), "not an image" },
        { "half.jpg", File.ReadAllBytes(Path.Combine(Photos, "sample2.jpg"))[..4000], "truncated" },
    };

    [Theory]
    [MemberData(nameof(UnreadableUploads))]
    public async Task Unreadable_uploads_are_400_with_a_reason(string name, byte[] bytes, string reason)
    {
        var (status, body) = await Post(Form(bytes, name));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, body.GetProperty("detail").GetString());
        Assert.Contains(name, body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Uploads_over_the_limit_are_413()
    {
        // The server answers from Content-Length without reading the body, then drops the connection (Kestrel will not
        // drain a body over its limit). A client that sends the whole body first can meet that drop mid-send (a
        // "broken pipe" here, now and then); one that asks with Expect: 100-continue, as curl does for large uploads,
        // gets the 413 before it sends anything, every time.
        var (status, body) = await Post(Form(new byte[3 * 1024 * 1024]), expectContinue: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("limit", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_decompression_bomb_is_413_before_it_is_decoded()
    {
        // A 2 KB PNG that claims 30,000 x 30,000 pixels: refused from its header.
        using var tiny = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var png = PngFixtures.WithClaimedSize(Vision.Annotation.PhotoAnnotator.Encode(tiny), 30_000, 30_000);
        var (status, body) = await Post(Form(png, "bomb.png"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("MP", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Other_content_types_are_415_and_say_what_to_send()
    {
        var (status, body) = await Post(new StringContent("{\"image\": \"...\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("multipart/form-data", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_form_without_a_file_is_400()
    {
        var form = new MultipartFormDataContent { { new StringContent("1"), "tta" } };
        var (status, body) = await Post(form);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'image'", body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("?min-score=2", "min-score")]
    [InlineData("?top-k=abc", "top-k")]
    [InlineData("?detector=sideways", "detector")]
    [InlineData("?tta=maybe", "tta")]
    [InlineData("?top_k=2", "unknown option 'top_k'; the options are detector, min-face, min-score, max-faces, top-k, tta")]
    public async Task Bad_options_are_400_and_named(string query, string option)
    {
        var (status, body) = await Post(Form(Sample1), query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(option, body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Gan_sample_validates_its_query()
    {
        using var missing = await Client.GetAsync("/api/gan/sample");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        using var unknown = await Client.GetAsync("/api/gan/sample?class=joy");
        Assert.Contains("not an emotion", await unknown.Content.ReadAsStringAsync());
        using var tooMany = await Client.GetAsync("/api/gan/sample?class=happy&count=100000");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        // A value that does not parse, and an option the endpoint does not have, are named (both were silent before:
        // an empty 400, and an ignored option).
        using var notNumber = await Client.GetAsync("/api/gan/sample?class=happy&count=abc");
        Assert.Equal(HttpStatusCode.BadRequest, notNumber.StatusCode);
        Assert.Contains("count 'abc' is not a whole number", await notNumber.Content.ReadAsStringAsync());
        using var misspelt = await Client.GetAsync("/api/gan/sample?emotion=happy");
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        Assert.Contains("unknown option 'emotion'; the options are class, count, seed, truncation", await misspelt.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_describes_the_api()
    {
        using var json = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/predict", out var predict));
        Assert.True(predict.GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        Assert.True(paths.TryGetProperty("/api/gan/sample", out var sample));
        Assert.Equal(["class", "count", "seed", "truncation"], sample.GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.True(paths.TryGetProperty("/health", out _));
    }

    [Fact]
    public void The_report_page_shows_calibration_only_where_a_recorded_evaluation_has_it()
    {
        const string card = """
            { "architecture": { "kind": "vgg", "width": 4 }, "classes": ["angry"], "balance": "none", "seed": 1,
              "evaluations": { "PrivateTest": { "faces": 10, "accuracy": 0.5, "ece": 0.0421, "f1": { "angry": 0.5 } },
                               "PublicTest": { "faces": 10, "accuracy": 0.6, "f1": { "angry": 0.6 } } } }
            """;
        var page = ReportPages.FromCard(card);
        Assert.Contains("<th>ECE</th>", page);
        Assert.Contains("<td>0.042</td>", page);

        var older = ReportPages.FromCard(card.Replace("\"ece\": 0.0421, ", ""));
        Assert.DoesNotContain("ECE", older); // cards recorded before calibration: no empty column
    }

    [Fact]
    public void The_report_page_describes_a_soup_by_its_ingredients_not_by_an_epoch()
    {
        const string card = """
            { "architecture": { "kind": "vgg", "width": 4 }, "classes": ["angry"], "balance": "none", "seed": 1,
              "selection": { "split": "PublicTest", "epoch": 0, "accuracy": 0.701, "macro_f1": 0.682 },
              "soup": { "recipe": "greedy", "ingredients": [
                  { "folder": "runs/a", "alone": { "accuracy": 0.697 }, "kept": true },
                  { "folder": "runs/b", "alone": { "accuracy": 0.690 }, "kept": false } ] } }
            """;
        var page = ReportPages.FromCard(card);
        Assert.Contains("greedy soup: the mean of the weights of 1 of 2 classifiers, scored on PublicTest: accuracy 0.701", page);
        Assert.Contains("<li>runs/a (alone: accuracy 0.697)</li>", page);
        Assert.Contains("<li>left out: runs/b (alone: accuracy 0.690)</li>", page);
        Assert.DoesNotContain("at epoch", page);
        var weighted = ReportPages.FromCard(card.Replace("\"recipe\": \"greedy\"", "\"recipe\": \"weighted\", \"shares\": [0.7, 0.3]"));
        Assert.Contains("<li>share 0.7: runs/a (alone: accuracy 0.697)</li>", weighted);

        const string trainedCard = """
            { "architecture": { "kind": "vgg", "width": 4 }, "classes": ["angry"], "balance": "none", "seed": 1,
              "selection": { "split": "PublicTest", "epoch": 7, "accuracy": 0.701, "macro_f1": 0.682 } }
            """;
        Assert.Contains("Selected on PublicTest at epoch 7", ReportPages.FromCard(trainedCard));
    }

    [Fact]
    public async Task Pages_are_served()
    {
        Assert.Contains("id=\"file\"", await Client.GetStringAsync("/"));
        Assert.Contains("/api/gan/sample", await Client.GetStringAsync("/gan"));
        Assert.Contains("PrivateTest", await Client.GetStringAsync("/report")); // the bundled card's recorded scores
        Assert.Contains(".face-label", await Client.GetStringAsync("/static/style.css"));
        using var missing = await Client.GetAsync("/static/..%2F..%2Fappsettings.json");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
