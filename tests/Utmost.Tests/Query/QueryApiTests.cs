using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>
/// <c>POST /api/v2/query</c> on every event engine, over a small shop whose visits are worked out by hand below.
/// Times are UTC; the tenant is in Berlin (UTC+1 in March), so 2025-03-10 09:00Z is 10:00 local.
/// </summary>
public abstract class QueryApiTests(TestServer server)
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static string At(double minutes) => T0.AddMinutes(minutes).ToString("O");

    /// <summary>
    /// Four visits: A from Google ads (two page views, order o-1 sent twice: one conversion of 50 EUR, 6 minutes);
    /// B from Bing (one page view: a bounce); C from the newsletter (a page view, a lead, a quote request: 20 minutes);
    /// A again the next day, direct (a page view and order o-2 of 30 EUR on the pro plan: 1 minute).
    /// </summary>
    private async Task<HttpClient> ShopAsync(string slug)
    {
        var tenant = await server.CreateTenantAsync(slug);
        var admin = server.WithKey(tenant.AdminKey);
        using (var zone = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"time_zone":"Europe/Berlin"}""")))
        {
            Assert.Equal(200, (int)zone.StatusCode);
        }
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new object[]
        {
            new { event_type = "page_view", visitor_id = "A", timestamp = At(0), page_url = "https://shop.example/home", utm_source = "google",
                utm_medium = "cpc", utm_campaign = "spring" },
            new { event_type = "page_view", visitor_id = "A", timestamp = At(2), page_url = "https://shop.example/pricing",
                referrer_url = "https://shop.example/home" },
            new { event_type = "purchase", visitor_id = "A", timestamp = At(5), order_id = "o-1", revenue = new { amount = 50, currency = "EUR" } },
            new { event_type = "purchase", visitor_id = "A", timestamp = At(6), order_id = "o-1", revenue = new { amount = 50, currency = "EUR" } },
            new { event_type = "page_view", visitor_id = "B", timestamp = At(60), page_url = "https://shop.example/home", referrer_url = "https://www.bing.com/" },
            new { event_type = "page_view", visitor_id = "C", timestamp = At(120), page_url = "https://shop.example/blog", utm_source = "newsletter",
                utm_medium = "email" },
            new { event_type = "lead_created", visitor_id = "C", timestamp = At(130) },
            new { event_type = "quote_requested", visitor_id = "C", timestamp = At(140) },
            new { event_type = "page_view", visitor_id = "A", timestamp = At(24 * 60), page_url = "https://shop.example/home" },
            new { event_type = "purchase", visitor_id = "A", timestamp = At(24 * 60 + 1), order_id = "o-2", revenue = new { amount = 30, currency = "EUR" },
                properties = new { plan = "pro" } },
        }));
        return admin;
    }



    private static readonly string[] Range = ["2025-03-10", "2025-03-11"];

    [BackendFact]
    public async Task Totals_by_visit_and_time_count_visits_with_their_page_views_conversions_revenue_and_duration()
    {
        using var admin = await ShopAsync("query-totals");

        var totals = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "visitors", "visits", "pageviews", "events", "views_per_visit", "bounce_rate", "visit_duration", "conversions",
                "conversion_rate", "revenue", "average_order_value", "leads" },
            date_range = Range,
        });
        // 3 people, 4 visits, 5 page views of 10 events; B bounced; (360 + 0 + 1200 + 60) / 4 = 405 s; o-1 counts once.
        Assert.Equal([" => 3, 4, 5, 10, 1.25, 25, 405, 3, 75, 80, 40, 1"], QueryAnswers.Rows(totals));
        Assert.Equal("EUR", totals.GetProperty("meta").GetProperty("currency").GetString());
        Assert.Equal(Range, totals.GetProperty("query").GetProperty("date_range").EnumerateArray().Select(d => d.GetString()));

        var bySource = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "visits", "pageviews", "bounce_rate", "revenue" }, date_range = Range, dimensions = new[] { "visit:source" },
            order_by = new[] { new[] { "visit:source", "asc" } },
        });
        Assert.Equal(["(direct) => 1, 1, 0, 30", "bing => 1, 1, 100, 0", "google => 1, 2, 0, 50", "newsletter => 1, 1, 0, 0"], QueryAnswers.Rows(bySource));

        var byDay = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "visitors", "visits" }, date_range = new[] { "2025-03-09", "2025-03-11" }, dimensions = new[] { "time:day" },
            include = new { time_labels = true, total_rows = true },
        });
        Assert.Equal(["2025-03-09 => 0, 0", "2025-03-10 => 3, 3", "2025-03-11 => 1, 1"], QueryAnswers.Rows(byDay));
        Assert.Equal(["2025-03-09", "2025-03-10", "2025-03-11"], byDay.GetProperty("meta").GetProperty("time_labels").EnumerateArray().Select(l => l.GetString()));

        // Local hours: A landed at 10:00 Berlin time.
        var byHour = await QueryAnswers.QueryAsync(admin, new { metrics = new[] { "visits" }, date_range = new[] { "2025-03-10", "2025-03-10" }, dimensions = new[] { "time" } });
        Assert.Equal(["2025-03-10 10:00:00 => 1", "2025-03-10 11:00:00 => 1", "2025-03-10 12:00:00 => 1"], QueryAnswers.Rows(byHour));
    }

    [BackendFact]
    public async Task Event_dimensions_count_events_and_goal_conversions_and_join_visits_for_visit_filters()
    {
        using var admin = await ShopAsync("query-events");

        var byType = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "visitors", "events", "conversions", "revenue", "leads", "bounce_rate" }, date_range = Range,
            dimensions = new[] { "event:type" }, order_by = new[] { new[] { "event:type", "asc" } },
        });
        Assert.Equal(["lead_created => 1, 1, 0, 0, 1, null", "page_view => 3, 5, 0, 0, 0, null", "purchase => 1, 3, 2, 80, 0, null",
            "quote_requested => 1, 1, 1, 0, 0, null"], QueryAnswers.Rows(byType));
        Assert.Contains(byType.GetProperty("meta").GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("bounce_rate is null"));

        var byGoal = await QueryAnswers.QueryAsync(admin, new { metrics = new[] { "conversions", "revenue" }, date_range = Range, dimensions = new[] { "event:goal" } });
        Assert.Equal(["purchase => 2, 80", "quote_requested => 1, 0"], QueryAnswers.Rows(byGoal));

        // Events of Google visits only: the visit's internal page view and purchases count too.
        var fromGoogle = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "events", "visits", "conversions" }, date_range = Range, dimensions = new[] { "event:type" },
            filters = new object[] { new object[] { "is", "visit:source", new[] { "google" } } },
        });
        // Tied on events: by the dimension.
        Assert.Equal(["page_view => 2, 1, 0", "purchase => 2, 1, 1"], QueryAnswers.Rows(fromGoogle));

        var byPlan = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "events", "revenue" }, date_range = Range, dimensions = new[] { "event:props:plan" },
            filters = new object[] { new object[] { "is", "event:type", new[] { "purchase" } } },
        });
        Assert.Equal(["null => 2, 50", "pro => 1, 30"], QueryAnswers.Rows(byPlan));

        var notPaid = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "visits" }, date_range = Range,
            filters = new object[] { new object[] { "not", new object[] { "or", new object[] {
                new object[] { "contains", "visit:medium", new[] { "cp" } }, new object[] { "matches", "visit:source", new[] { "^news" } } } } } },
        });
        Assert.Equal(["2"], QueryAnswers.Rows(notPaid).Select(r => r.Split("=> ")[1]));
    }

    [BackendFact]
    public async Task Comparisons_match_the_previous_period_and_bad_queries_are_400s_naming_the_part()
    {
        using var admin = await ShopAsync("query-compare");

        var compared = await QueryAnswers.QueryAsync(admin, new
        {
            metrics = new[] { "visits", "revenue" }, date_range = new[] { "2025-03-11", "2025-03-11" }, include = new { comparisons = "previous_period" },
        });
        var row = compared.GetProperty("results")[0];
        Assert.Equal("1, 30", QueryAnswers.Numbers(row.GetProperty("metrics")));
        Assert.Equal("3, 50", QueryAnswers.Numbers(row.GetProperty("comparison").GetProperty("metrics")));
        Assert.Equal("-66.7, -40", QueryAnswers.Numbers(row.GetProperty("comparison").GetProperty("change")));
        Assert.Equal(["2025-03-10", "2025-03-10"], compared.GetProperty("meta").GetProperty("comparison_date_range").EnumerateArray().Select(d => d.GetString()));

        foreach (var (body, field) in new (string, string)[]
        {
            ("""{"metrics":["foo"],"date_range":"last_7_days"}""", "metrics[0]"),
            ("""{"metrics":["visits"],"date_range":"last_7_days","dimensions":["visit:planet"]}""", "dimensions[0]"),
            ("""{"metrics":["visits"],"date_range":"last_7_days","filters":[["equals","visit:source",["x"]]]}""", "filters[0][0]"),
            ("""{"metrics":["visits"],"date_range":"last_7_days","filters":[["is","visit:planet",["x"]]]}""", "filters[0][1]"),
            ("""{"metrics":["visits"],"date_range":["2025-03-11","2025-03-01"]}""", "date_range"),
            ("""{"metrics":["visits"],"date_range":"last_7_days","pagination":{"limit":10001}}""", "pagination.limit"),
            ("""{"metrics":["visits"],"date_range":"last_7_days","filters":[["matches","visit:source",["(a+)+\\1"]]]}""", "filters[0][2][0]"),
        })
        {
            using var refused = await admin.PostAsync("/api/v2/query", Http.Json(body));
            await refused.AssertProblemAsync(400, field);
        }
    }

    [BackendFact]
    public async Task Answers_are_cached_per_tenant_and_new_events_count_at_once()
    {
        using var admin = await ShopAsync("query-cache");
        var other = await server.CreateTenantAsync("query-cache-other");
        using var stranger = server.WithKey(other.AdminKey);
        var query = new { metrics = new[] { "visits", "events" }, date_range = Range };

        Assert.Equal([" => 4, 10"], QueryAnswers.Rows(await QueryAnswers.QueryAsync(admin, query)));
        // The same question from another tenant: its own (empty) answer, never the cached one.
        Assert.Equal([" => 0, 0"], QueryAnswers.Rows(await QueryAnswers.QueryAsync(stranger, query)));
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new[]
        {
            new { event_type = "page_view", visitor_id = "D", timestamp = At(300), page_url = "https://shop.example/" },
        }));
        Assert.Equal([" => 5, 11"], QueryAnswers.Rows(await QueryAnswers.QueryAsync(admin, query)));
    }

    [BackendFact]
    public async Task A_deleted_event_leaves_the_answers_of_a_tenant_that_had_deleted_none_before()
    {
        using var admin = await ShopAsync("query-deleted");
        var byType = new { metrics = new[] { "events" }, date_range = Range, dimensions = new[] { "event:type" } };
        Assert.Contains("lead_created => 1", QueryAnswers.Rows(await QueryAnswers.QueryAsync(admin, byType)));
        var lead = (await admin.GetJsonAsync("/marketing/events?event_type=lead_created"))[0].GetProperty("id").GetString();

        using (var deleted = await admin.DeleteAsync($"/marketing/events/{lead}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        var after = QueryAnswers.Rows(await QueryAnswers.QueryAsync(admin, byType));
        Assert.DoesNotContain(after, row => row.StartsWith("lead_created", StringComparison.Ordinal));
        Assert.Contains("quote_requested => 1", after);
    }

    [BackendFact]
    public async Task The_schema_lists_what_the_parser_accepts()
    {
        using var admin = await ShopAsync("query-schema");
        using var anonymous = server.Anonymous();
        using var response = await anonymous.GetAsync("/api/v2/query/schema");
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        var schema = await response.ReadJsonAsync();
        var properties = schema.GetProperty("properties");
        var metrics = properties.GetProperty("metrics").GetProperty("items").GetProperty("enum").EnumerateArray().Select(m => m.GetString()!).ToArray();
        var dimensions = schema.GetProperty("$defs").GetProperty("dimension").GetProperty("anyOf")[0].GetProperty("enum").EnumerateArray()
            .Select(d => d.GetString()!).ToArray();
        Assert.Equal(15, metrics.Length);
        Assert.Contains("visit:channel", dimensions);

        // Every name the schema lists is one the API takes.
        await QueryAnswers.QueryAsync(admin, new { metrics, date_range = Range });
        foreach (var dimension in dimensions)
        {
            await QueryAnswers.QueryAsync(admin, new { metrics = new[] { "visitors" }, date_range = Range, dimensions = new[] { dimension } });
        }
        Assert.Equal(["is", "is_not", "contains", "contains_not", "matches", "matches_not"],
            schema.GetProperty("$defs").GetProperty("filter").GetProperty("oneOf")[0].GetProperty("prefixItems")[0].GetProperty("enum")
                .EnumerateArray().Select(o => o.GetString()));
    }
}

[NeedsServers]
public sealed class QueryApiOnSqlite(TestServer server) : QueryApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class QueryApiOnClickHouse(ClickHouseTestServer server) : QueryApiTests(server), IClassFixture<ClickHouseTestServer>;
