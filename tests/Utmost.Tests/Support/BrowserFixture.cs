using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Utmost.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright (headless), and a web server of test pages on its own loopback port: the
/// site whose pages carry the tracker, on another origin than Utmost. Without Chromium nothing starts, and the tests
/// skip (see <see cref="NeedsServersAttribute"/>).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // The closed network here refuses Chromium's own background connections; these flags keep it from trying.
    private static readonly string[] Flags =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly Dictionary<string, string> _pages = new(StringComparer.Ordinal);
    private IPlaywright? _playwright;
    private WebApplication? _site;

    public static bool IsInstalled => File.Exists(ExecutablePath);

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The test site's origin (<c>http://localhost:port</c>; Utmost's test servers are on 127.0.0.1, so another origin).</summary>
    public Uri Site { get; private set; } = null!;

    /// <summary>Screenshots go to the test output directory, which CI keeps.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>A full-page screenshot of <paramref name="page"/> as screenshots/<paramref name="name"/>.png.</summary>
    public static Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDir);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, $"{name}.png"), FullPage = true });
    }

    public async Task InitializeAsync()
    {
        if (!IsInstalled)
        {
            return;
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true, Args = Flags });
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _site = builder.Build();
        _site.MapGet("/{**path}", (HttpContext context) =>
        {
            lock (_pages)
            {
                return _pages.TryGetValue(context.Request.Path.Value ?? "/", out var html) ? Results.Content(html, "text/html; charset=utf-8") : Results.NotFound();
            }
        });
        await _site.StartAsync();
        var port = new Uri(_site.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        Site = new Uri($"http://localhost:{port}");
    }

    /// <summary>
    /// A fresh browser profile that names itself as desktop Chrome: headless Chromium says "HeadlessChrome", which Utmost
    /// rightly counts as a bot.
    /// </summary>
    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    });

    /// <summary>Serves <paramref name="html"/> at <paramref name="path"/> of the test site; returns its address.</summary>
    public Uri Page(string path, string html)
    {
        lock (_pages)
        {
            _pages[path] = html;
        }
        return new Uri(Site, path);
    }

    public async Task DisposeAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
