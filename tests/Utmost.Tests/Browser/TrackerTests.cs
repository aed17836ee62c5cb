using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using Utmost.Tests.Support;

namespace Utmost.Tests.Browser;

/// <summary>
/// The tracker in Chromium, on pages of another origin than Utmost's: what arrives, with which visitor, campaign and
/// session; what it stores on the device; and what it must not send.
/// </summary>
[NeedsServers(NeedsServersAttribute.Chromium)]
public sealed class TrackerTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>, IClassFixture<BrowserFixture>
{
    /// <summary>A shop page with the tracker tag; a call made before the script loads is queued by the usual stub.</summary>
    private string ShopPage(string siteKey, string attributes = "") => $$"""
        <!doctype html><html><head><title>Shop</title>
        <script>window.utmost = window.utmost || function () { (utmost.q = utmost.q || []).push(arguments) };
        utmost('newsletter_signup', { props: { list: 'weekly' } });</script>
        <script defer src="{{server.BaseAddress}}js/utmost.js" data-site="{{siteKey}}" {{attributes}}></script>
        </head><body>
        <button id="pricing" onclick="history.pushState({}, '', '/pricing')">Pricing</button>
        <button id="buy" onclick="utmost('purchase', { revenue: { amount: 49.9, currency: 'EUR' }, order_id: 'o-1', props: { plan: 'pro' } })">Buy</button>
        <a id="out" href="https://elsewhere.example/page">Elsewhere</a>
        <form id="quote" onsubmit="event.preventDefault()"><button id="send">Send</button></form>
        </body></html>
        """;

    private static async Task<IPage> OpenAsync(IBrowserContext context, Uri url)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(url.ToString());
        await page.WaitForFunctionAsync("() => window.utmost && window.utmost.loaded");
        return page;
    }

    /// <summary>The tenant's events once there are at least <paramref name="count"/> (oldest first); fails after 20 s.</summary>
    private static async Task<List<JsonElement>> EventsAsync(HttpClient admin, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var events = (await admin.GetJsonAsync("/marketing/events?limit=100")).EnumerateArray().Reverse().ToList();
            if (events.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(events.Count >= count, $"{events.Count} of {count} events arrived: {string.Join(", ", events.Select(e => e.GetProperty("event_type")))}");
                return events;
            }
            await Task.Delay(100);
        }
    }

    private static string[] Types(IEnumerable<JsonElement> events) =>
        events.Select(e => e.GetProperty("event_type").GetString()!).Order(StringComparer.Ordinal).ToArray();

    private static JsonElement Single(IEnumerable<JsonElement> events, string type) =>
        Assert.Single(events, e => e.GetProperty("event_type").GetString() == type);

    [BackendFact]
    public async Task A_visit_from_a_campaign_arrives_as_one_session_with_its_campaign_its_page_views_and_a_purchase()
    {
        var tenant = await server.CreateTenantAsync("tracked-shop");
        using var admin = server.WithKey(tenant.AdminKey);
        var landing = browser.Page("/spring", ShopPage(tenant.Tenant.SiteKey));
        await using var context = await browser.NewContextAsync();
        var page = await OpenAsync(context, new Uri(landing, "?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=abc123"));
        await page.ClickAsync("#pricing");
        await page.ClickAsync("#buy");

        var events = await EventsAsync(admin, 4);
        // Sent within the same millisecond, events may be listed in either order: they are picked by what they are.
        Assert.Equal(["newsletter_signup", "page_view", "page_view", "purchase"], Types(events));
        var visitor = await page.EvaluateAsync<string>("() => localStorage.getItem('utmost_vid')");
        Assert.False(string.IsNullOrEmpty(visitor));
        foreach (var e in events)
        {
            Assert.Equal(visitor, e.GetProperty("visitor_id").GetString());
            Assert.Equal("newsletter", e.GetProperty("utm_source").GetString());
            Assert.Equal("email", e.GetProperty("utm_medium").GetString());
            Assert.Equal("spring", e.GetProperty("utm_campaign").GetString());
            Assert.Equal("abc123", e.GetProperty("metadata").GetProperty("gclid").GetString());
        }
        Assert.Equal("weekly", Single(events, "newsletter_signup").GetProperty("properties").GetProperty("list").GetString());
        var pricing = Assert.Single(events, e => e.GetProperty("event_type").GetString() == "page_view"
            && e.GetProperty("page_url").GetString()!.EndsWith("/pricing", StringComparison.Ordinal));
        Assert.EndsWith("/spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=abc123", pricing.GetProperty("referrer_url").GetString());
        var purchase = Single(events, "purchase");
        Assert.Equal(49.9m, purchase.GetProperty("revenue").GetProperty("amount").GetDecimal());
        Assert.Equal("EUR", purchase.GetProperty("revenue").GetProperty("currency").GetString());
        Assert.Equal("o-1", purchase.GetProperty("order_id").GetString());
        Assert.Equal("pro", purchase.GetProperty("properties").GetProperty("plan").GetString());

        var session = Assert.Single((await admin.GetJsonAsync($"/api/sessions?visitor_id={visitor}")).EnumerateArray());
        Assert.Equal("Email", session.GetProperty("channel").GetString());
        Assert.Equal("spring", session.GetProperty("campaign").GetString());
        Assert.Equal("gclid", session.GetProperty("click_id").GetString());
        Assert.Equal(2, session.GetProperty("page_views").GetInt32());
        Assert.Equal(4, session.GetProperty("events").GetInt32());
        Assert.True(session.GetProperty("converted").GetBoolean());
        Assert.Equal(49.9m, session.GetProperty("conversion_value").GetDecimal());
        Assert.Equal("/pricing", new Uri(session.GetProperty("exit_page").GetString()!).AbsolutePath);

        // The next page load of the same tab keeps the campaign; the visitor id stays.
        await page.GotoAsync(new Uri(landing, "/spring").ToString());
        var more = await EventsAsync(admin, 6);
        Assert.All(more.Skip(4), e => Assert.Equal("spring", e.GetProperty("utm_campaign").GetString()));
        Assert.All(more.Skip(4), e => Assert.Equal(visitor, e.GetProperty("visitor_id").GetString()));
    }

    [BackendFact]
    public async Task Cookieless_mode_stores_nothing_on_the_device_and_sends_no_visitor_id()
    {
        var tenant = await server.CreateTenantAsync("cookieless-shop");
        using var admin = server.WithKey(tenant.AdminKey);
        await using var context = await browser.NewContextAsync();
        var bodies = new ConcurrentQueue<string>();
        context.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/marketing/event", StringComparison.Ordinal))
            {
                bodies.Enqueue(request.PostData ?? "");
            }
        };
        var page = await OpenAsync(context, new Uri(browser.Page("/quiet", ShopPage(tenant.Tenant.SiteKey, "data-cookieless")), "?utm_source=partner"));
        await page.ClickAsync("#pricing");
        await page.ClickAsync("#buy");

        var events = await EventsAsync(admin, 4);
        Assert.Equal(4, bodies.Count);
        Assert.All(bodies, body => Assert.DoesNotContain("visitor_id", body));
        var stored = await page.EvaluateAsync<JsonElement>("() => [localStorage.length, sessionStorage.length, document.cookie]");
        Assert.Equal("[0,0,\"\"]", stored.GetRawText());
        // The server gives them one daily cookieless id, and the campaign still rides on every event of the page.
        Assert.Single(events.Select(e => e.GetProperty("visitor_id").GetString()).Distinct());
        Assert.All(events, e => Assert.Equal("partner", e.GetProperty("utm_source").GetString()));
    }

    [BackendFact]
    public async Task Events_from_an_origin_the_tenant_does_not_allow_are_refused_and_stored_nowhere()
    {
        var tenant = await server.CreateTenantAsync("guarded-shop");
        using var admin = server.WithKey(tenant.AdminKey);
        using (var patched = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"allowed_origins": ["https://shop.example"]}""")))
        {
            Assert.Equal(200, (int)patched.StatusCode);
        }
        var url = browser.Page("/guarded", ShopPage(tenant.Tenant.SiteKey));
        await using var context = await browser.NewContextAsync();
        var answers = new ConcurrentQueue<int>();
        context.Response += (_, response) =>
        {
            if (response.Url.EndsWith("/marketing/event", StringComparison.Ordinal))
            {
                answers.Enqueue(response.Status);
            }
        };
        // The page view and the queued sign-up: both refused.
        var page = await OpenAsync(context, url);
        await UntilAsync(() => answers.Count >= 2);
        Assert.Equal([403, 403], answers);

        // Once the site's origin is allowed, the same page gets through; the refused events never appear.
        using (var patched = await admin.PatchAsync("/api/tenants/current",
            Http.Json(JsonSerializer.Serialize(new { allowed_origins = new[] { "https://shop.example", browser.Site.GetLeftPart(UriPartial.Authority) } }))))
        {
            Assert.Equal(200, (int)patched.StatusCode);
        }
        await page.ReloadAsync();
        await page.ClickAsync("#buy");
        await UntilAsync(() => answers.Count >= 5);
        Assert.Equal([403, 403, 201, 201, 201], answers);
        Assert.Equal(3, (await EventsAsync(admin, 3)).Count);
    }

    private static async Task UntilAsync(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!done() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    [BackendFact]
    public async Task Outbound_clicks_and_form_submissions_are_sent_when_the_tag_asks()
    {
        var tenant = await server.CreateTenantAsync("clicks-shop");
        using var admin = server.WithKey(tenant.AdminKey);
        await using var context = await browser.NewContextAsync();
        await context.RouteAsync("https://elsewhere.example/**", route => route.FulfillAsync(new RouteFulfillOptions { Body = "elsewhere", ContentType = "text/html" }));
        var page = await OpenAsync(context, browser.Page("/links", ShopPage(tenant.Tenant.SiteKey, "data-outbound data-forms")));
        await page.ClickAsync("#send");
        await page.ClickAsync("#out");

        var events = await EventsAsync(admin, 4);
        var form = Single(events, "form_submit");
        Assert.Equal("quote", form.GetProperty("properties").GetProperty("form").GetString());
        var outbound = Single(events, "outbound_click");
        Assert.Equal("https://elsewhere.example/page", outbound.GetProperty("properties").GetProperty("url").GetString());
    }

    [BackendFact]
    public async Task With_hash_routing_a_change_of_the_hash_is_a_page_view()
    {
        var tenant = await server.CreateTenantAsync("hash-shop");
        using var admin = server.WithKey(tenant.AdminKey);
        await using var context = await browser.NewContextAsync();
        var page = await OpenAsync(context, browser.Page("/app", ShopPage(tenant.Tenant.SiteKey, "data-hash")));
        await page.EvaluateAsync("() => { location.hash = '#/plans'; }");

        var views = (await EventsAsync(admin, 3)).Where(e => e.GetProperty("event_type").GetString() == "page_view")
            .Select(e => new Uri(e.GetProperty("page_url").GetString()!).Fragment).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["", "#/plans"], views);
    }

    [BackendFact]
    public async Task Identify_names_the_visitor_and_every_later_event_carries_the_user_id()
    {
        var tenant = await server.CreateTenantAsync("identify-shop");
        using var admin = server.WithKey(tenant.AdminKey);
        await using var context = await browser.NewContextAsync();
        var page = await OpenAsync(context, browser.Page("/account", ShopPage(tenant.Tenant.SiteKey)));
        await EventsAsync(admin, 2);
        await page.EvaluateAsync("() => utmost.identify('user-42', { plan: 'pro' })");
        await page.ClickAsync("#buy");

        var events = await EventsAsync(admin, 4);
        var identify = Single(events, "identify");
        Assert.Equal("user-42", identify.GetProperty("user_id").GetString());
        Assert.Equal("pro", identify.GetProperty("properties").GetProperty("plan").GetString());
        Assert.Equal("user-42", Single(events, "purchase").GetProperty("user_id").GetString());
        Assert.Equal(JsonValueKind.Null, Single(events, "newsletter_signup").GetProperty("user_id").ValueKind);
        // The visitor is now linked to the person: their journeys find this visit.
        var journeys = await admin.GetJsonAsync("/api/v1/analytics/journeys/user-42");
        Assert.Contains(await page.EvaluateAsync<string>("() => localStorage.getItem('utmost_vid')"),
            journeys.GetProperty("visitors").EnumerateArray().Select(v => v.GetString()));
    }

    [BackendFact]
    public async Task Nothing_is_sent_before_consent_or_under_global_privacy_control_when_the_site_asks()
    {
        var tenant = await server.CreateTenantAsync("consent-shop");
        using var admin = server.WithKey(tenant.AdminKey);
        await using var context = await browser.NewContextAsync();
        var waiting = await OpenAsync(context, browser.Page("/consent", ShopPage(tenant.Tenant.SiteKey, "data-consent=\"required\"")));
        await waiting.ClickAsync("#buy");

        await using var private_ = await browser.NewContextAsync();
        await private_.AddInitScriptAsync("Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true })");
        var gpc = await OpenAsync(private_, browser.Page("/gpc", ShopPage(tenant.Tenant.SiteKey, "data-respect-dnt")));
        await gpc.ClickAsync("#buy");

        // A page without either sends a marker; once it is in, nothing else has come.
        var marker = await OpenAsync(context, browser.Page("/marker", ShopPage(tenant.Tenant.SiteKey)));
        var events = await EventsAsync(admin, 2);
        Assert.All(events, e => Assert.EndsWith("/marker", e.GetProperty("page_url").GetString()));

        // Consent given: what waited is sent.
        await waiting.EvaluateAsync("() => utmost.consent(true)");
        var after = await EventsAsync(admin, 5);
        Assert.Equal(["newsletter_signup", "page_view", "purchase"],
            Types(after.Where(e => e.GetProperty("page_url").GetString()!.EndsWith("/consent", StringComparison.Ordinal))));
        await marker.CloseAsync();
    }
}
