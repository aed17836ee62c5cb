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

    /// <summary>What a channel performance row says, as (field, value) for the fields the test checks.</summary>
    private static Dictionary<string, JsonElement> Channels(JsonElement report) =>
        report.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);

    private static decimal? Money(JsonElement row, string field) => row.GetProperty(field) is { ValueKind: JsonValueKind.Number } value ? value.GetDecimal() : null;

    [BackendFact]
    public async Task Channel_performance_joins_sessions_stored_credits_and_costs_and_recomputing_changes_nothing()
    {
        using var admin = await ScenarioAsync("channel-performance");
        await admin.PostJsonAsync("/marketing/campaigns", """
            {"campaign_name": "April newsletter", "utm_campaign": "newsletter-april", "utm_source": "newsletter", "utm_medium": "email"}
            """);
        // 30 EUR spent over ten days from 25 March: three of them fall in 1–7 April, so 9 EUR.
        await admin.PostJsonAsync("/marketing/campaigns", """
            {"campaign_name": "Summer", "utm_campaign": "summer", "utm_source": "facebook", "utm_medium": "paid", "spent": 30, "currency": "EUR",
             "start_date": "2025-03-25", "end_date": "2025-04-04"}
            """);
        await admin.PostJsonAsync("/api/costs", """
            [
              {"date": "2025-04-01", "source": "google", "medium": "cpc", "campaign": "spring", "cost": 40, "clicks": 20, "impressions": 1000, "currency": "EUR"},
              {"date": "2025-04-02", "source": "google", "medium": "cpc", "campaign": "brand", "cost": 10, "clicks": 5, "currency": "EUR"},
              {"date": "2025-04-03", "campaign": "newsletter-april", "cost": 5, "currency": "EUR"},
              {"date": "2025-04-03", "source": "facebook", "medium": "paid", "cost": 7, "currency": "USD"},
              {"date": "2025-04-09", "source": "google", "medium": "cpc", "cost": 1000, "currency": "EUR"}
            ]
            """, expectedStatus: 200);

        // Nothing recomputed yet for April 2025 (the background job keeps the last 30 days): costs only.
        var before = (await admin.GetJsonAsync("/api/marketing/channels?start=2025-04-01&end=2025-04-07")).GetProperty("total");
        Assert.Equal((0L, 0.0, 64m), (before.GetProperty("sessions").GetInt64(), before.GetProperty("orders").GetDouble(), Money(before, "cost")));

        var recomputed = await admin.PostJsonAsync("/api/v1/analytics/attribution/recompute?date_from=2025-04-01&date_to=2025-04-07", "", expectedStatus: 200);
        Assert.Equal(4, recomputed.GetProperty("conversions").GetInt32());
        var report = await admin.GetJsonAsync("/api/marketing/channels?start=2025-04-01&end=2025-04-07");
        await admin.PostJsonAsync("/api/v1/analytics/attribution/recompute?date_from=2025-04-01&date_to=2025-04-07", "", expectedStatus: 200);
        Assert.Equal(report.ToString(), (await admin.GetJsonAsync("/api/marketing/channels?start=2025-04-01&end=2025-04-07")).ToString());

        Assert.Equal(("last_non_direct_click", "EUR", 1), (report.GetProperty("model").GetString(), report.GetProperty("currency").GetString(),
            report.GetProperty("cost_rows_in_other_currencies").GetInt32()));
        Assert.Equal(["Email", "Organic Social", "Direct", "Paid Search", "Paid Social"],
            report.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
        var rows = Channels(report);
        var email = rows["Email"];
        Assert.Equal((1L, 1.0, 100m, 100.0), (email.GetProperty("sessions").GetInt64(), email.GetProperty("orders").GetDouble(), Money(email, "sales"),
            email.GetProperty("conversion_rate").GetDouble()));
        Assert.Equal((5m, 20.0, 19.0, 5m, 100m), (Money(email, "cost"), email.GetProperty("roas").GetDouble(), email.GetProperty("roi").GetDouble(),
            Money(email, "cpa"), Money(email, "aov")));
        Assert.Equal((1.0, 0.0), (email.GetProperty("new_customer_orders").GetDouble(), email.GetProperty("returning_customer_orders").GetDouble()));
        // Bob had bought before: a returning customer. Organic Social has no cost, so no ROAS.
        var social = rows["Organic Social"];
        Assert.Equal((0.0, 1.0, null), (social.GetProperty("new_customer_orders").GetDouble(), social.GetProperty("returning_customer_orders").GetDouble(),
            Money(social, "cost")));
        Assert.Equal(JsonValueKind.Null, social.GetProperty("roas").ValueKind);
        // Direct: dora's USD order counts as an order, not as EUR sales.
        var direct = rows["Direct"];
        Assert.Equal((3L, 2.0, 10m, 66.67, 5m), (direct.GetProperty("sessions").GetInt64(), direct.GetProperty("orders").GetDouble(), Money(direct, "sales"),
            direct.GetProperty("conversion_rate").GetDouble(), Money(direct, "aov")));
        // Paid Search: 50 EUR for 25 clicks; CTR over the one row with impressions: 20 / 1000.
        var search = rows["Paid Search"];
        Assert.Equal((2L, 0.0, 50m, 0.0, -1.0), (search.GetProperty("sessions").GetInt64(), search.GetProperty("orders").GetDouble(), Money(search, "cost"),
            search.GetProperty("roas").GetDouble(), search.GetProperty("roi").GetDouble()));
        Assert.Equal((25L, 1000L, 2m, 2.0), (search.GetProperty("clicks").GetInt64(), search.GetProperty("impressions").GetInt64(), Money(search, "cpc"),
            search.GetProperty("ctr").GetDouble()));
        Assert.Equal(JsonValueKind.Null, search.GetProperty("cpa").ValueKind);
        Assert.Equal((0L, 9m), (rows["Paid Social"].GetProperty("sessions").GetInt64(), Money(rows["Paid Social"], "cost")));

        var total = report.GetProperty("total");
        Assert.Equal((7L, 4.0, 160m, 64m, 2.5, 16m, 40m), (total.GetProperty("sessions").GetInt64(), total.GetProperty("orders").GetDouble(),
            Money(total, "sales"), Money(total, "cost"), total.GetProperty("roas").GetDouble(), Money(total, "cpa"), Money(total, "aov")));
        Assert.Equal((3.0, 1.0), (total.GetProperty("new_customer_orders").GetDouble(), total.GetProperty("returning_customer_orders").GetDouble()));

        // Another model's stored credits: the data-driven split of the same four orders.
        var markov = await admin.GetJsonAsync("/api/marketing/channels?model=markov&start=2025-04-01&end=2025-04-07");
        Assert.Equal(4.0, markov.GetProperty("total").GetProperty("orders").GetDouble(), 6);
        Assert.True(Channels(markov)["Paid Search"].GetProperty("orders").GetDouble() > 0);
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
        foreach (var (query, field) in new[] { ("model=best", "model"), ("start=soon", "start"), ("start=2025-04-07&end=2025-04-01", "end") })
        {
            using var refused = await admin.GetAsync($"/api/marketing/channels?{query}");
            await refused.AssertProblemAsync(400, field);
        }
        using (var tooLong = await admin.PostAsync("/api/v1/analytics/attribution/recompute?date_from=2023-01-01&date_to=2025-01-01", null))
        {
            await tooLong.AssertProblemAsync(400, "date_to");
        }
        using (var viewer = server.WithKey(await server.CreateKeyAsync("attribution-bad", "viewer")))
        using (var forbidden = await viewer.PostAsync("/api/v1/analytics/attribution/recompute", null))
        {
            Assert.Equal(403, (int)forbidden.StatusCode);
        }
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
