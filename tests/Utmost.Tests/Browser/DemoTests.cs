using System.Globalization;
using Microsoft.Playwright;
using Utmost.Tests.Support;

namespace Utmost.Tests.Browser;

/// <summary>
/// What a newcomer does: start the real binary with <c>serve --demo</c>, open the printed address, sign in, and find a
/// populated dashboard in every view. The screenshots named demo-* show it.
/// </summary>
[NeedsServers(NeedsServersAttribute.Chromium)]
public sealed class DemoTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Key = "utm_demo_test_admin_key_0123456789";

    [BackendFact]
    public async Task Serve_with_demo_data_shows_a_populated_dashboard_in_every_view()
    {
        using var dataDir = new TempDirectory("demo");
        await using var server = await ServerProcess.StartAsync(dataDir.Path, Key, "--demo");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!server.Output.Contains("demo:", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.Contains("events of the last 30 days", server.Output);
        Assert.Contains($"dashboard: {server.BaseAddress.ToString().TrimEnd('/')}/", server.Output);

        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.FillAsync("#key", Key);
        await page.PressAsync("#key", "Enter");
        var visitors = page.Locator(".card[data-metric='visitors'] .value");
        await visitors.WaitForAsync();
        Assert.True(long.Parse((await visitors.TextContentAsync())!, NumberStyles.AllowThousands, CultureInfo.GetCultureInfo("en-US")) > 1_000);
        Assert.True(await page.Locator("section[aria-label='Top sources'] tr.row").CountAsync() >= 5);
        await page.Locator("section[aria-label='Timeline'] canvas").WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "demo-overview");

        // Visitors came back through other channels, so the models credit the channels differently.
        await page.Locator("nav a", new PageLocatorOptions { HasText = "Channels" }).ClickAsync();
        var comparison = page.Locator("section[aria-label='Model comparison'] tbody tr");
        await comparison.First.WaitForAsync();
        var rows = new List<string[]>();
        for (var i = 0; i < await comparison.CountAsync(); i++)
        {
            rows.Add((await comparison.Nth(i).Locator("td").AllTextContentsAsync()).Skip(1).ToArray());
        }
        Assert.Contains(rows, cells => cells.Distinct().Count() > 1);
        await BrowserFixture.ScreenshotAsync(page, "demo-channels");

        await page.Locator("nav a", new PageLocatorOptions { HasText = "Campaigns" }).ClickAsync();
        await page.Locator("section[aria-label='Campaigns'] tbody tr").Nth(3).WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "demo-campaigns");

        await page.Locator("nav a", new PageLocatorOptions { HasText = "Funnels" }).ClickAsync();
        await page.Locator("section[aria-label='Funnels'] tbody tr").Nth(3).WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "demo-funnels");

        await page.Locator("nav a", new PageLocatorOptions { HasText = "Realtime" }).ClickAsync();
        var now = page.Locator(".card[data-metric='visitors_now'] .value");
        await now.WaitForAsync();
        Assert.NotEqual("0", await now.TextContentAsync());
        await BrowserFixture.ScreenshotAsync(page, "demo-realtime");
        Assert.Empty(errors);
    }
}
