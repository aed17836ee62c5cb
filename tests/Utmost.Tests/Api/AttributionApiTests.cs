using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>
/// Attribution over stored journeys, the same on every backend. The scenario's paths and every model's credit are
/// worked out by hand in the comments.
/// </summary>
public abstract class AttributionApiTests(TestServer server)
{
    private static readonly DateTimeOffset T0 = new(2025, 4, 1, 9, 0, 0, TimeSpan.Zero);
    private const string Range = "date_from=2025-04-01&date_to=2025-04-07";

    private static string At(double days, double minutes = 0) => T0.AddDays(days).AddMinutes(minutes).ToString("O");

    /// <summary>
    /// In range (1–7 April), the conversions and their paths (30-day window):
    /// alice (two linked devices): Paid Search (day 0), Email (day 2), Direct (day 3) → 100 EUR;
    /// bob: Organic Social (day 1) → 50 EUR (his purchase on day −5 closed the journey before);
    /// dora: Direct → 20 USD (counted, no value: EUR is the report's currency);
    /// erik: Direct → 10 EUR (his referral visit on day −40 is only inside a 60-day window).
    /// carl: Paid Search, no conversion. Total: 4 conversions, 160 EUR.
    /// </summary>
    private async Task<HttpClient> ScenarioAsync(string slug)
    {
        var tenant = await server.CreateTenantAsync(slug);
        var other = await server.CreateTenantAsync(slug + "-other");
        var admin = server.WithKey(tenant.AdminKey);
        object View(string visitor, string time) => new { event_type = "page_view", visitor_id = visitor, timestamp = time, page_url = "https://shop.example/" };
        object Purchase(string visitor, string time, string order, double amount, string currency) =>
            new { event_type = "purchase", visitor_id = visitor, timestamp = time, order_id = order, revenue = new { amount, currency } };
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new[]
        {
            new { event_type = "page_view", visitor_id = "alice-phone", timestamp = At(0), page_url = "https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring",
                utm_source = "google", utm_medium = "cpc", utm_campaign = "spring" },
            new { event_type = "page_view", visitor_id = "alice-laptop", timestamp = At(2), page_url = "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
                utm_source = "newsletter", utm_medium = "email", utm_campaign = "spring" },
        }));
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new object[]
        {
            View("alice-laptop", At(3)),
            Purchase("alice-laptop", At(3, 5), "o-alice", 100, "EUR"),
            new { event_type = "page_view", visitor_id = "bob", timestamp = At(-5), page_url = "https://shop.example/", referrer_url = "https://www.google.com/" },
            Purchase("bob", At(-5, 3), "o-bob-0", 70, "EUR"),
            new { event_type = "page_view", visitor_id = "bob", timestamp = At(1), page_url = "https://shop.example/", referrer_url = "https://l.facebook.com/" },
            Purchase("bob", At(1, 10), "o-bob-1", 50, "EUR"),
            new { event_type = "page_view", visitor_id = "carl", timestamp = At(1, 60), page_url = "https://shop.example/", utm_source = "google", utm_medium = "cpc", utm_campaign = "brand" },
            View("dora", At(4)),
            Purchase("dora", At(4, 2), "o-dora", 20, "USD"),
            new { event_type = "page_view", visitor_id = "erik", timestamp = At(-40), page_url = "https://shop.example/", referrer_url = "https://blog.example.org/post" },
            Purchase("erik", At(4), "o-erik", 10, "EUR"),
        }));
        await admin.PostJsonAsync("/api/identify", """{"visitor_id":"alice-phone","user_id":"alice"}""", 200);
        await admin.PostJsonAsync("/api/identify", """{"visitor_id":"alice-laptop","user_id":"alice"}""", 200);
        // Another tenant's sale from the same channel names must not show.
        using var otherAdmin = server.WithKey(other.AdminKey);
        await otherAdmin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new[]
        {
            new { event_type = "page_view", visitor_id = "bob", timestamp = At(1), page_url = "https://shop.example/", referrer_url = "https://l.facebook.com/" },
            new { event_type = "purchase", visitor_id = "bob", timestamp = At(1, 5), page_url = "https://shop.example/", referrer_url = "https://l.facebook.com/" },
        }));
        return admin;
    }

    private static Dictionary<string, (double Conversions, decimal Revenue)> Rows(JsonElement report) =>
        report.GetProperty("rows").EnumerateArray().ToDictionary(
            r => r.GetProperty("channel").GetString()! + (r.TryGetProperty("campaign", out var c) ? "/" + c.GetString() : ""),
            r => (r.GetProperty("conversions").GetDouble(), r.GetProperty("revenue").GetDecimal()));

    private static void AssertCredit(Dictionary<string, (double Conversions, double Revenue)> expected, JsonElement report)
    {
        var actual = Rows(report);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, (conversions, revenue)) in expected)
        {
            Assert.True(Math.Abs(actual[key].Conversions - conversions) < 1e-4, $"{key}: {actual[key].Conversions} conversions, expected {conversions}");
            Assert.True(Math.Abs((double)actual[key].Revenue - revenue) <= 0.005, $"{key}: revenue {actual[key].Revenue}, expected {revenue}");
        }
    }

    [BackendFact]
    public async Task Every_model_credits_the_stored_journeys_as_worked_out_by_hand()
    {
        using var admin = await ScenarioAsync("attribution-models");

        var report = await admin.GetJsonAsync($"/api/v1/analytics/attribution/revenue?{Range}");

        Assert.Equal(("last_non_direct_click", "EUR", 30, "channel"), (report.GetProperty("model").GetString(), report.GetProperty("currency").GetString(),
            report.GetProperty("window_days").GetInt32(), report.GetProperty("group_by").GetString()));
        Assert.Equal((4.0, 160m, 1), (report.GetProperty("total_conversions").GetDouble(), report.GetProperty("total_revenue").GetDecimal(),
            report.GetProperty("conversions_in_other_currencies").GetInt32()));
        // Sorted by conversions, then name.
        Assert.Equal(["Direct", "Email", "Organic Social"], report.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("channel").GetString()));
        Assert.Equal((50.0, 62.5), (report.GetProperty("rows")[0].GetProperty("conversion_share").GetDouble(),
            report.GetProperty("rows")[1].GetProperty("revenue_share").GetDouble()));
        AssertCredit(new() { ["Direct"] = (2, 10), ["Email"] = (1, 100), ["Organic Social"] = (1, 50) }, report);

        async Task<JsonElement> Model(string name) => await admin.GetJsonAsync($"/api/v1/analytics/attribution/revenue?{Range}&model={name}");
        AssertCredit(new() { ["Paid Search"] = (1, 100), ["Direct"] = (2, 10), ["Organic Social"] = (1, 50) }, await Model("first_click"));
        AssertCredit(new() { ["Direct"] = (3, 110), ["Organic Social"] = (1, 50) }, await Model("last_touch"));
        AssertCredit(new() { ["Paid Search"] = (1, 100), ["Email"] = (1, 100), ["Direct"] = (3, 110), ["Organic Social"] = (1, 50) }, await Model("any_click"));
        var third = 1.0 / 3;
        AssertCredit(new() { ["Paid Search"] = (third, 100 * third), ["Email"] = (third, 100 * third), ["Direct"] = (2 + third, 10 + 100 * third),
            ["Organic Social"] = (1, 50) }, await Model("linear"));
        AssertCredit(new() { ["Paid Search"] = (third, 100 * third), ["Email"] = (third, 100 * third), ["Direct"] = (2 + third, 10 + 100 * third),
            ["Organic Social"] = (1, 50) }, await Model("shapley"));
        AssertCredit(new() { ["Paid Search"] = (0.4, 40), ["Email"] = (0.2, 20), ["Direct"] = (2.4, 50), ["Organic Social"] = (1, 50) },
            await Model("position_based"));
        // Alice's touches were 3 days 5 minutes, 1 day 5 minutes and 5 minutes before her purchase; half-life 7 days.
        var weights = new[] { 3 + 5.0 / 1440, 1 + 5.0 / 1440, 5.0 / 1440 }.Select(days => Math.Pow(2, -days / 7)).ToArray();
        var shares = weights.Select(w => w / weights.Sum()).ToArray();
        AssertCredit(new() { ["Paid Search"] = (shares[0], 100 * shares[0]), ["Email"] = (shares[1], 100 * shares[1]),
            ["Direct"] = (2 + shares[2], 10 + 100 * shares[2]), ["Organic Social"] = (1, 50) }, await Model("time_decay"));
        // Markov: Start→{Paid Search 2, Organic Social 1, Direct 2}/5; Paid Search→{Email, Null} ½ each; Email→Direct;
        // Direct and Organic Social convert. P = 2/5·½ + 1/5 + 2/5 = 4/5. Without Paid Search, Email or Organic
        // Social P = 3/5 (effect ¼ each); without Direct P = 1/5 (effect ¾). Shares 1/6, 1/6, 1/6, 1/2 of 4 and of 160.
        AssertCredit(new() { ["Paid Search"] = (4 / 6.0, 160 / 6.0), ["Email"] = (4 / 6.0, 160 / 6.0), ["Organic Social"] = (4 / 6.0, 160 / 6.0),
            ["Direct"] = (2, 80) }, await Model("markov"));
    }

    [BackendFact]
    public async Task The_window_group_by_and_channel_filter_narrow_the_report_and_the_comparison_puts_models_side_by_side()
    {
        using var admin = await ScenarioAsync("attribution-views");

        // A 60-day window reaches erik's referral visit 44 days before his purchase.
        var wide = await admin.GetJsonAsync($"/api/v1/analytics/attribution/revenue?{Range}&window_days=60");
        AssertCredit(new() { ["Direct"] = (1, 0), ["Email"] = (1, 100), ["Organic Social"] = (1, 50), ["Referral"] = (1, 10) }, wide);

        var campaigns = await admin.GetJsonAsync($"/api/v1/analytics/attribution/revenue?{Range}&group_by=campaign&model=first_click");
        AssertCredit(new() { ["Paid Search/spring"] = (1, 100), ["Direct/(not set)"] = (2, 10), ["Organic Social/(not set)"] = (1, 50) }, campaigns);
        var email = await admin.GetJsonAsync($"/api/v1/analytics/attribution/revenue?{Range}&group_by=source_medium&channel=email");
        var row = Assert.Single(email.GetProperty("rows").EnumerateArray());
        Assert.Equal(("Email", "newsletter", "email", 1.0), (row.GetProperty("channel").GetString(), row.GetProperty("source").GetString(),
            row.GetProperty("medium").GetString(), row.GetProperty("conversions").GetDouble()));
        Assert.Equal(4.0, email.GetProperty("total_conversions").GetDouble());

        var comparison = await admin.GetJsonAsync($"/api/v1/analytics/attribution/compare?{Range}&models=first_click,last_click,markov");
        Assert.Equal(["first_click", "last_click", "markov"], comparison.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var byChannel = comparison.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("channel").GetString()!, r => r.GetProperty("models"));
        Assert.Equal(["Direct", "Email", "Organic Social", "Paid Search"], byChannel.Keys.Order());
        double Credit(string channel, string model) => byChannel[channel].GetProperty(model).GetProperty("conversions").GetDouble();
        Assert.Equal((1.0, 0.0), (Credit("Paid Search", "first_click"), Credit("Paid Search", "last_click")));
        Assert.Equal(4 / 6.0, Credit("Paid Search", "markov"), 4);
        Assert.Equal(110m, byChannel["Direct"].GetProperty("last_click").GetProperty("revenue").GetDecimal());
        var all = await admin.GetJsonAsync($"/api/v1/analytics/attribution/compare?{Range}");
        Assert.Equal(9, all.GetProperty("models").GetArrayLength());
    }

    [BackendFact]
    public async Task Bad_queries_are_refused_naming_the_field_and_an_unknown_model_lists_the_valid_ones()
    {
        var tenant = await server.CreateTenantAsync("attribution-bad");
        using var admin = server.WithKey(tenant.AdminKey);
        foreach (var (query, field) in new[]
        {
            ("model=last_touchpoint", "model"), ("window_days=0", "window_days"), ("window_days=366", "window_days"), ("window_days=ten", "window_days"),
            ("group_by=device", "group_by"), ("date_from=yesterday", "date_from"), ("date_from=2025-04-07&date_to=2025-04-01", "date_to"),
        })
        {
            using var refused = await admin.GetAsync($"/api/v1/analytics/attribution/revenue?{query}");
            var problem = await refused.AssertProblemAsync(400, field);
            if (field == "model")
            {
                var message = problem.GetProperty("errors").GetProperty("model")[0].GetString()!;
                Assert.All(new[] { "first_click", "last_non_direct_click", "markov", "shapley" }, name => Assert.Contains(name, message));
            }
        }
        using var badModels = await admin.GetAsync("/api/v1/analytics/attribution/compare?models=linear,nope");
        await badModels.AssertProblemAsync(400, "models");
        var empty = await admin.GetJsonAsync($"/api/v1/analytics/attribution/revenue?{Range}&model=markov");
        Assert.Equal((0.0, 0), (empty.GetProperty("total_conversions").GetDouble(), empty.GetProperty("rows").GetArrayLength()));
    }
}

[NeedsServers]
public sealed class AttributionApiOnSqlite(TestServer server) : AttributionApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class AttributionApiOnPostgres(PostgresTestServer server) : AttributionApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class AttributionApiOnClickHouse(ClickHouseTestServer server) : AttributionApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class AttributionApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : AttributionApiTests(server), IClassFixture<PostgresClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class AttributionApiOnClickHouseCluster(ClickHouseClusterTestServer server) : AttributionApiTests(server), IClassFixture<ClickHouseClusterTestServer>;
