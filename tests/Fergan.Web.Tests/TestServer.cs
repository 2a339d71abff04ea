using Microsoft.AspNetCore.Builder;

namespace Fergan.Web.Tests;

/// <summary>The real web app on a free loopback port, and an HttpClient pointed at it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public static async Task<TestServer> StartAsync(WebOptions? options = null)
    {
        var app = FerganWebApp.Build((options ?? new WebOptions()) with { Urls = "http://127.0.0.1:0" });
        await app.StartAsync();
        return new TestServer(app, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
