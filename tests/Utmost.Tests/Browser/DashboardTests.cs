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
        await BrowserFixture.ScreenshotAsync(page, "sign-in-refused");
        consoleErrors.Clear(); // Chromium reports the refused sign-in's 401; from here on, nothing may fail.

        await page.FillAsync("#key", TestServer.AdminKey);
        await page.PressAsync("#key", "Enter");
        await page.Locator(".card[data-metric='visitors'] .value").WaitForAsync();
        await page.Locator("canvas").WaitForAsync();
        Assert.Equal(await ExpectedCardsAsync(admin, "last_30_days", []), await CardsOnScreenAsync(page));
        await BrowserFixture.ScreenshotAsync(page, "overview");

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
        await BrowserFixture.ScreenshotAsync(page, "overview-filtered");

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
        // The chart follows the new width a frame or two later (a ResizeObserver), so this waits for the layout to settle.
        try
        {
            await page.WaitForFunctionAsync("() => document.documentElement.scrollWidth <= 390", null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the page is {await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")} px wide on a 390 px phone");
        }
        await BrowserFixture.ScreenshotAsync(page, "overview-phone");

        Assert.Empty(consoleErrors);
    }

    [BackendFact]
    public async Task A_user_signs_in_with_a_password_API_errors_are_shown_in_words_and_the_keyboard_reaches_every_row()
    {
        using var admin = server.Admin();
        await admin.PostJsonAsync("/api/users", """{"email": "mia@shop.example", "password": "a long and good password", "role": "viewer"}""");
        await admin.PostJsonAsync("/marketing/events", $$"""
            [{"event_type": "page_view", "visitor_id": "keyboard", "utm_source": "google", "utm_medium": "cpc", "timestamp": "{{DateTimeOffset.UtcNow.AddHours(-2):O}}"}]
            """);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.FillAsync("#email", "mia@shop.example");
        await page.FillAsync("#password", "a long and good password");
        await page.PressAsync("#password", "Enter");
        await page.Locator(".card[data-metric='visitors']").WaitForAsync();
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("mia@shop.example (viewer)");

        // A shared link with a filter on a dimension that does not exist: each panel says why, none is left blank.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?range=last_30_days&f=visit:planet=mars").ToString());
        await Assertions.Expect(page.Locator(".cards .error")).ToContainTextAsync("Unknown dimension");
        Assert.True(await page.Locator("section[aria-label='Timeline'] .error").CountAsync() == 1);
        await BrowserFixture.ScreenshotAsync(page, "error-shown");

        // Tab reaches a row of a list, and Enter filters by it.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?range=all").ToString());
        var firstRow = page.Locator("section[aria-label='Channels'] tr.row").First;
        await firstRow.WaitForAsync();
        await firstRow.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**f=visit%3Achannel*");
        Assert.Equal(1, await page.Locator(".chip").CountAsync());
    }

    private static async Task<IPage> SignedInAsync(IBrowserContext context, Uri server, string key, string path)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.ToString());
        await page.FillAsync("#key", key);
        await page.PressAsync("#key", "Enter");
        await page.Locator(".card[data-metric='visitors']").WaitForAsync();
        await page.GotoAsync(new Uri(server, path).ToString());
        return page;
    }

    private static async Task<string[]> CellsAsync(ILocator row) => (await row.Locator("td").AllTextContentsAsync()).ToArray();

    [BackendFact]
    public async Task Channels_campaigns_funnels_and_realtime_show_what_the_APIs_answer_and_a_campaign_is_made_in_the_page()
    {
        var tenant = await server.CreateTenantAsync("dash-views");
        using var admin = server.WithKey(tenant.AdminKey);
        await SeedAsync(admin);
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(Enumerable.Range(0, 3).Select(i => new
        {
            event_type = "page_view", visitor_id = $"now-{i}", page_url = "https://shop.example/", timestamp = DateTimeOffset.UtcNow.AddSeconds(-30).ToString("O"),
        })));
        await using var context = await browser.NewContextAsync();
        var consoleErrors = new List<string>();

        // Channels: the model comparison table holds the compare API's credits; the selector switches the chart's model.
        var page = await SignedInAsync(context, server.BaseAddress, tenant.AdminKey, "/?view=channels&range=last_30_days");
        page.PageError += (_, error) => consoleErrors.Add(error);
        var comparison = page.Locator("section[aria-label='Model comparison'] table");
        await comparison.WaitForAsync();
        var dates = (await (await admin.PostAsync("/api/v2/query", Http.Json(new { metrics = new[] { "visits" }, date_range = "last_30_days" }))).ReadJsonAsync())
            .GetProperty("query").GetProperty("date_range");
        var compare = await admin.GetJsonAsync($"/api/v1/analytics/attribution/compare?date_from={dates[0]}&date_to={dates[1]}");
        var models = compare.GetProperty("models").EnumerateArray().Select(m => m.GetString()!).ToArray();
        foreach (var credited in compare.GetProperty("rows").EnumerateArray())
        {
            var channel = credited.GetProperty("channel").GetString()!;
            var expected = new[] { channel }.Concat(models.Select(m => credited.GetProperty("models").GetProperty(m).GetProperty("conversions").GetDouble()
                .ToString("F2", CultureInfo.InvariantCulture))).ToArray();
            Assert.Equal(expected, await CellsAsync(comparison.Locator("tbody tr", new LocatorLocatorOptions { HasText = channel }).First));
        }
        await page.SelectOptionAsync("#model", "linear");
        await page.WaitForURLAsync("**model=linear*");
        await page.Locator("section[aria-label='Attribution by model'] canvas").WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "channels");

        // Campaigns: made in the page with a name that is markup, shown as text; launched; its budget changed.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?view=campaigns").ToString());
        await page.Locator("#new-campaign").ClickAsync();
        const string name = "<b onmouseover=\"window.__xss = 1\">Spring</b> sale";
        await page.FillAsync("#campaign-campaign_name", name);
        await page.SelectOptionAsync("#campaign-campaign_type", "email");
        await page.FillAsync("#campaign-budget", "500");
        await page.FillAsync("#campaign-utm_campaign", "spring_sale");
        await page.FillAsync("#campaign-start_date", "2026-01-01");
        await page.Locator("form[aria-label='New campaign'] button[type=submit]").ClickAsync();
        var row = page.Locator("section[aria-label='Campaigns'] tbody tr", new PageLocatorOptions { HasText = "Spring" });
        await row.WaitForAsync();
        var stored = Assert.Single((await admin.GetJsonAsync("/marketing/campaigns")).EnumerateArray());
        Assert.Equal(name, stored.GetProperty("campaign_name").GetString());
        Assert.Equal("draft", stored.GetProperty("status").GetString());
        Assert.Equal(500m, stored.GetProperty("budget").GetDecimal());
        var cells = await CellsAsync(row);
        Assert.Equal(name, cells[0]);
        var spring = (await (await admin.PostAsync("/api/v2/query", Http.Json(new
        {
            metrics = new[] { "visitors", "leads" }, date_range = "last_30_days", filters = new[] { new object[] { "is", "visit:campaign", new[] { "spring_sale" } } },
        }))).ReadJsonAsync()).GetProperty("results")[0].GetProperty("metrics");
        Assert.Equal(spring[0].GetInt64().ToString("N0", CultureInfo.GetCultureInfo("en-US")), cells[6]);
        Assert.Equal(spring[1].GetInt64().ToString("N0", CultureInfo.GetCultureInfo("en-US")), cells[7]);
        await row.Locator("button", new LocatorLocatorOptions { HasText = "Launch" }).ClickAsync();
        await page.Locator("section[aria-label='Campaigns'] .status.active").WaitForAsync();
        Assert.Equal("active", Assert.Single((await admin.GetJsonAsync("/marketing/campaigns")).EnumerateArray()).GetProperty("status").GetString());
        await page.Locator("section[aria-label='Campaigns'] button", new PageLocatorOptions { HasText = "Edit" }).ClickAsync();
        await page.FillAsync("#campaign-budget", "750");
        await page.Locator("form[aria-label='Edit campaign'] button[type=submit]").ClickAsync();
        await page.Locator("section[aria-label='Campaigns'] td", new PageLocatorOptions { HasText = "€750.00" }).Or(
            page.Locator("section[aria-label='Campaigns'] td", new PageLocatorOptions { HasText = "$750.00" })).First.WaitForAsync();
        Assert.Equal(750m, Assert.Single((await admin.GetJsonAsync("/marketing/campaigns")).EnumerateArray()).GetProperty("budget").GetDecimal());
        // A refused change is explained, not swallowed.
        await page.Locator("section[aria-label='Campaigns'] button", new PageLocatorOptions { HasText = "Edit" }).ClickAsync();
        await page.FillAsync("#campaign-start_date", "2026-12-31");
        await page.FillAsync("#campaign-end_date", "2026-01-01");
        await page.Locator("form[aria-label='Edit campaign'] button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("form[aria-label='Edit campaign'] .error")).ToContainTextAsync("end_date");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
        await BrowserFixture.ScreenshotAsync(page, "campaigns");

        // Funnels: defined in the page; the steps on screen are the report API's.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?view=funnels&range=last_30_days").ToString());
        await page.Locator("#new-funnel").ClickAsync();
        await page.FillAsync("#funnel-name", "Visit to purchase");
        await page.FillAsync("#funnel-steps", "page_view\nlead_created\npurchase");
        await page.Locator("form[aria-label='New funnel'] button[type=submit]").ClickAsync();
        var steps = page.Locator("section[aria-label='Funnels'] tbody tr");
        var refused = page.Locator("section .error, form .error");
        await steps.First.Or(refused).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.False(await refused.CountAsync() > 0, $"the funnel was not shown: {string.Join("; ", await refused.AllTextContentsAsync())}");
        var funnelId = new Uri(page.Url).Query.Split('&').Single(p => p.StartsWith("funnel=", StringComparison.Ordinal) || p.StartsWith("?funnel=", StringComparison.Ordinal)).Split('=')[1];
        var report = await admin.GetJsonAsync($"/api/funnels/{funnelId}/report?date_range=last_30_days");
        var reportSteps = report.GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(3, await steps.CountAsync());
        for (var i = 0; i < reportSteps.Length; i++)
        {
            var shown = await CellsAsync(steps.Nth(i));
            Assert.Equal(reportSteps[i].GetProperty("name").GetString(), shown[0]);
            Assert.Equal(reportSteps[i].GetProperty("entered").GetInt64().ToString("N0", CultureInfo.GetCultureInfo("en-US")), shown[1]);
        }
        await BrowserFixture.ScreenshotAsync(page, "funnels");

        // Realtime: the three visitors of the last minute.
        await page.GotoAsync(new Uri(server.BaseAddress, "/?view=realtime").ToString());
        var now = page.Locator(".card[data-metric='visitors_now'] .value");
        await now.WaitForAsync();
        var live = await admin.GetJsonAsync("/api/v1/analytics/dashboard/realtime");
        Assert.Equal(live.GetProperty("visitors_last5_minutes").GetInt64().ToString("N0", CultureInfo.GetCultureInfo("en-US")), await now.TextContentAsync());
        Assert.Equal("3", await now.TextContentAsync());
        await BrowserFixture.ScreenshotAsync(page, "realtime");

        // Settings: the tag to paste carries the site key; the zone and a user are changed in the page.
        await page.Locator("nav a", new PageLocatorOptions { HasText = "Settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tracker-tag")).ToContainTextAsync($"data-site=\"{tenant.Tenant.SiteKey}\"");
        await page.SelectOptionAsync("#time-zone", "Europe/Berlin");
        await page.Locator("form[aria-label='Tenant settings'] button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("Europe/Berlin");
        Assert.Equal("Europe/Berlin", (await admin.GetJsonAsync("/api/tenants/current")).GetProperty("time_zone").GetString());
        await page.FillAsync("#user-email", "noor@shop.example");
        await page.FillAsync("#user-password", "short");
        await page.SelectOptionAsync("#user-role", "marketer");
        await page.EvaluateAsync("() => document.getElementById('user-password').removeAttribute('minlength')");
        await page.Locator("form[aria-label='Add a user'] button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("form[aria-label='Add a user'] .error")).ToContainTextAsync("password");
        await page.FillAsync("#user-password", "a long and good password");
        await page.Locator("form[aria-label='Add a user'] button[type=submit]").ClickAsync();
        await page.Locator("section[aria-label='Users'] td", new PageLocatorOptions { HasText = "noor@shop.example" }).WaitForAsync();
        var users = await admin.GetJsonAsync("/api/users");
        Assert.Equal("marketer", Assert.Single(users.EnumerateArray()).GetProperty("role").GetString());
        await BrowserFixture.ScreenshotAsync(page, "settings");
        Assert.Empty(consoleErrors);
    }
}
