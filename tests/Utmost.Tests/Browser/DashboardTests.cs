using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Utmost.Tests.Support;

namespace Utmost.Tests.Browser;

/// <summary>
/// The dashboard in Chromium: signing in, the numbers on screen against the query API's answers for the same query,
/// switching the date range, filtering by a clicked row (and the URL that shares it), hostile names shown as text,
/// phone width, and readable errors. Screenshots of each view go to the test output's screenshots folder.
/// </summary>
[NeedsServers(NeedsServersAttribute.Chromium)]
public sealed class DashboardTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>, IClassFixture<BrowserFixture>
{
    private const string HostileSource = "<img src=x onerror=\"window.__xss = 1\">";

    private static readonly string[] WholeNumberCards = ["visitors", "visits", "pageviews", "leads", "conversions"];

    /// <summary>300 visitors over the last 4 weeks from five sources, some leads and purchases; one source's name is markup.</summary>
    private async Task SeedAsync(HttpClient admin)
    {
        var random = new Random(5);
        var now = DateTimeOffset.UtcNow;
        string?[][] sources = [["google", "cpc", "spring_sale"], ["newsletter", "email", "weekly"], ["facebook", "social", null], [null, null, null], [HostileSource, "referral", null]];
        var events = new List<Dictionary<string, object>>();
        for (var v = 0; v < 300; v++)
        {
            var source = sources[random.Next(sources.Length)];
            var at = now.AddDays(-random.NextDouble() * 27).AddHours(-1);
            var visit = new Dictionary<string, object> { ["visitor_id"] = $"v{v}", ["page_url"] = $"https://shop.example/{new[] { "", "pricing", "blog/launch" }[random.Next(3)]}" };
            if (source[0] is not null)
            {
                visit["utm_source"] = source[0]!;
                visit["utm_medium"] = source[1]!;
            }
            if (source[2] is not null)
            {
                visit["utm_campaign"] = source[2]!;
            }
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                events.Add(new(visit) { ["event_type"] = "page_view", ["timestamp"] = at.AddMinutes(i).ToString("O") });
            }
            if (random.Next(5) == 0)
            {
                events.Add(new(visit) { ["event_type"] = "lead_created", ["timestamp"] = at.AddMinutes(5).ToString("O") });
            }
            if (random.Next(8) == 0)
            {
                events.Add(new(visit)
                {
                    ["event_type"] = "purchase", ["order_id"] = $"o{v}", ["timestamp"] = at.AddMinutes(6).ToString("O"),
                    ["revenue"] = new Dictionary<string, object> { ["amount"] = 20 + random.Next(180), ["currency"] = "EUR" },
                });
            }
        }
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(events));
    }

    /// <summary>The query API's values of the whole-number cards, as the dashboard writes them.</summary>
    private static async Task<Dictionary<string, string>> ExpectedCardsAsync(HttpClient admin, string range, object[] filters)
    {
        using var response = await admin.PostAsync("/api/v2/query", Http.Json(new { metrics = WholeNumberCards, date_range = range, filters }));
        var row = (await response.ReadJsonAsync()).GetProperty("results")[0].GetProperty("metrics");
        return WholeNumberCards.Select((metric, i) => (metric, text: row[i].GetInt64().ToString("N0", CultureInfo.GetCultureInfo("en-US"))))
            .ToDictionary(p => p.metric, p => p.text);
    }

    private static async Task<Dictionary<string, string>> CardsOnScreenAsync(IPage page)
    {
        var shown = new Dictionary<string, string>();
        foreach (var metric in WholeNumberCards)
        {
            shown[metric] = (await page.Locator($".card[data-metric='{metric}'] .value").TextContentAsync())!;
        }
        return shown;
    }

    private static Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(BrowserFixture.ScreenshotDir);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, $"{name}.png"), FullPage = true });
    }

    [BackendFact]
    public async Task Signing_in_and_filtering_shows_the_query_APIs_numbers_and_names_stay_text()
    {
        using var admin = server.Admin();
        await SeedAsync(admin);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => consoleErrors.Add(error);

        // A wrong key: a clear message, and still the sign-in form.
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.FillAsync("#key", "utm_not_a_key_of_anyone_at_all_000");
        await page.PressAsync("#key", "Enter");
        await Assertions.Expect(page.Locator("[role=alert] .error")).ToContainTextAsync("does not open a dashboard");
        await ScreenshotAsync(page, "sign-in-refused");
        consoleErrors.Clear(); // Chromium reports the refused sign-in's 401; from here on, nothing may fail.

        await page.FillAsync("#key", TestServer.AdminKey);
        await page.PressAsync("#key", "Enter");
        await page.Locator(".card[data-metric='visitors'] .value").WaitForAsync();
        await page.Locator("canvas").WaitForAsync();
        Assert.Equal(await ExpectedCardsAsync(admin, "last_30_days", []), await CardsOnScreenAsync(page));
        await ScreenshotAsync(page, "overview");

        // Another range: the URL says it, and the numbers follow.
        await page.SelectOptionAsync("#range", "last_7_days");
        await page.WaitForURLAsync("**/?range=last_7_days");
        await page.Locator(".card[data-metric='visitors'] .value").WaitForAsync();
        Assert.Equal(await ExpectedCardsAsync(admin, "last_7_days", []), await CardsOnScreenAsync(page));

        // A click on a source filters everything; the filter is in the URL.
        await page.SelectOptionAsync("#range", "last_30_days");
        await page.Locator("section[aria-label='Top sources'] tr.row", new PageLocatorOptions { HasText = "newsletter" }).ClickAsync();
        await page.WaitForURLAsync("**f=visit%3Asource%3Dnewsletter*");
        await page.Locator(".card[data-metric='visitors'] .value").WaitForAsync();
        Assert.Equal(await ExpectedCardsAsync(admin, "last_30_days", [new object[] { "is", "visit:source", new[] { "newsletter" } }]), await CardsOnScreenAsync(page));
        Assert.Equal("source is newsletter ×", (await page.Locator(".chip").TextContentAsync())!.Trim());
        await ScreenshotAsync(page, "overview-filtered");

        // Opening the shared URL afresh shows the same view.
        var shared = page.Url;
        var second = await context.NewPageAsync();
        await second.GotoAsync(shared);
        await second.Locator(".card[data-metric='visitors'] .value").WaitForAsync();
        Assert.Equal(await CardsOnScreenAsync(page), await CardsOnScreenAsync(second));
        await second.CloseAsync();

        // The source named with markup is shown as its text, and nothing ran.
        await page.Locator(".chip").ClickAsync();
        await page.Locator("section[aria-label='Top sources'] tr.row").First.WaitForAsync();
        var names = await page.Locator("section[aria-label='Top sources'] td.name").AllTextContentsAsync();
        Assert.Contains(HostileSource, names);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
        Assert.Equal(0, await page.Locator("section[aria-label='Top sources'] img").CountAsync());

        // Phone width: everything fits, nothing scrolls sideways.
        await page.SetViewportSizeAsync(390, 844);
        await page.Locator(".card[data-metric='visitors'] .value").WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"), "the page is wider than a phone");
        await ScreenshotAsync(page, "overview-phone");

        Assert.Empty(consoleErrors);
    }

    [BackendFact]
    public async Task An_API_error_is_shown_in_words_and_the_keyboard_reaches_every_row()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.FillAsync("#key", TestServer.AdminKey);
        await page.PressAsync("#key", "Enter");
        await page.Locator(".card[data-metric='visitors']").WaitForAsync();

        // A shared link with a filter on a dimension that does not exist: each panel says why, none is left blank.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?range=last_30_days&f=visit:planet=mars").ToString());
        await Assertions.Expect(page.Locator(".cards .error")).ToContainTextAsync("Unknown dimension");
        Assert.True(await page.Locator("section[aria-label='Timeline'] .error").CountAsync() == 1);
        await ScreenshotAsync(page, "error-shown");

        // Tab reaches a row of a list, and Enter filters by it.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?range=all").ToString());
        var firstRow = page.Locator("section[aria-label='Channels'] tr.row").First;
        await firstRow.WaitForAsync();
        await firstRow.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**f=visit%3Achannel*");
        Assert.Equal(1, await page.Locator(".chip").CountAsync());
    }
}
