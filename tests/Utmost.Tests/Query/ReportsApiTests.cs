using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>
/// The seed report endpoints over a shop whose figures are worked out by hand. Its visits are three days ago, so the
/// rolling periods (week, month) hold them; one more visit ten days ago is the previous week.
/// </summary>
public abstract class ReportsApiTests(TestServer server)
{
    private static readonly DateTimeOffset Day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-3);
    private static readonly string DayText = Day.ToString("yyyy-MM-dd");

    private static object Event(string visitor, string type, DateTimeOffset at, object? extra = null)
    {
        var json = new Dictionary<string, object?> { ["event_type"] = type, ["visitor_id"] = visitor, ["timestamp"] = at.ToString("O") };
        foreach (var p in extra?.GetType().GetProperties() ?? [])
        {
            json[p.Name] = p.GetValue(extra);
        }
        return json;
    }

    /// <summary>
    /// A: Google ads (spring), two page views and order o-1 of 50 EUR. B: the April newsletter, a page view and a lead.
    /// C: direct, one page view. D, a week earlier: Google ads and order o-2 of 20 EUR. The spring ads cost 25 EUR
    /// that day. Campaigns: "Spring sale" (spring, active) and "Dormant" (winter, paused).
    /// </summary>
    private async Task<HttpClient> ShopAsync(string slug)
    {
        var tenant = await server.CreateTenantAsync(slug);
        var admin = server.WithKey(tenant.AdminKey);
        var at = Day.AddHours(10);
        var earlier = Day.AddDays(-7).AddHours(10);
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new[]
        {
            Event("A", "page_view", at, new { page_url = "https://shop.example/", utm_source = "google", utm_medium = "cpc", utm_campaign = "spring" }),
            Event("A", "page_view", at.AddMinutes(1), new { page_url = "https://shop.example/pricing" }),
            Event("A", "purchase", at.AddMinutes(2), new { order_id = "o-1", revenue = new { amount = 50, currency = "EUR" } }),
            Event("B", "page_view", at.AddHours(1), new { page_url = "https://shop.example/", utm_source = "newsletter", utm_medium = "email", utm_campaign = "april" }),
            Event("B", "lead_created", at.AddHours(1).AddMinutes(3)),
            Event("C", "page_view", at.AddHours(2), new { page_url = "https://shop.example/" }),
            Event("D", "page_view", earlier, new { page_url = "https://shop.example/", utm_source = "google", utm_medium = "cpc", utm_campaign = "spring" }),
            Event("D", "purchase", earlier.AddMinutes(5), new { order_id = "o-2", revenue = new { amount = 20, currency = "EUR" } }),
        }));
        await admin.PostJsonAsync("/api/costs",
            $$"""[{"date": "{{DayText}}", "source": "google", "medium": "cpc", "campaign": "spring", "cost": 25, "currency": "EUR"}]""", expectedStatus: 200);
        await admin.PostJsonAsync("/marketing/campaigns", """{"campaign_name": "Spring sale", "utm_campaign": "spring", "status": "active"}""");
        await admin.PostJsonAsync("/marketing/campaigns", """{"campaign_name": "Dormant", "utm_campaign": "winter", "status": "paused"}""");
        return admin;
    }

    private static string Change(JsonElement c) =>
        $"{c.GetProperty("value").GetRawText()} / {c.GetProperty("previous").GetRawText()} / {c.GetProperty("change").GetRawText()}";

    [BackendFact]
    public async Task The_overview_compares_the_week_with_the_one_before_and_ranks_channels()
    {
        using var admin = await ShopAsync("reports-overview");

        var overview = await admin.GetJsonAsync("/api/v1/analytics/metrics/overview?period=week&compare_to=previous_period");

        Assert.Equal("50 / 20 / 150", Change(overview.GetProperty("total_revenue")));
        Assert.Equal("1 / 1 / 0", Change(overview.GetProperty("total_conversions")));
        // 25 EUR for one conversion; nothing was spent the week before, so no change can be given.
        Assert.Equal("25 / 0 / null", Change(overview.GetProperty("cost_per_acquisition")));
        Assert.Equal("2 / 0 / null", Change(overview.GetProperty("return_on_ad_spend")));
        Assert.Equal("3 / 1 / 200", Change(overview.GetProperty("visitors")));
        Assert.Equal("EUR", overview.GetProperty("currency").GetString());
        var channels = overview.GetProperty("top_channels").EnumerateArray().ToArray();
        Assert.Equal(["Direct", "Email", "Paid Search"], channels.Select(c => c.GetProperty("channel").GetString()));
        Assert.Equal("1 / 1 / 0", Change(channels[2].GetProperty("visits")));

        var channelPerformance = await admin.GetJsonAsync("/api/v1/analytics/metrics/channel-performance?period=week");
        var paid = channelPerformance.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "Paid Search");
        Assert.Equal("1, 0, 1, 100, 50, 25, 2, 25", string.Join(", ", new[] { "visits", "bounce_rate", "conversions", "conversion_rate", "revenue", "cost", "roas", "cpa" }
            .Select(m => paid.GetProperty(m).ToString())));
        var trend = paid.GetProperty("trend").EnumerateArray().ToArray();
        Assert.Equal(7, trend.Length);
        Assert.Equal([DayText], trend.Where(p => p.GetProperty("visits").GetInt64() == 1).Select(p => p.GetProperty("date").GetString()));

        foreach (var (query, field) in new[] { ("period=decade", "period"), ("compare_to=last_century", "compare_to") })
        {
            using var refused = await admin.GetAsync($"/api/v1/analytics/metrics/overview?{query}");
            await refused.AssertProblemAsync(400, field);
        }
    }

    [BackendFact]
    public async Task The_funnel_and_the_realtime_panel_show_the_default_stages_live_visitors_and_latest_conversions()
    {
        using var admin = await ShopAsync("reports-live");
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new[] { Event("E", "page_view", DateTimeOffset.UtcNow.AddMinutes(-1)) }));

        var funnel = await admin.GetJsonAsync("/api/v1/analytics/metrics/funnel?period=week");
        Assert.Equal("Lead to job", funnel.GetProperty("funnel").GetString());
        // A, B and C viewed a page this week (E's view is today, also this week); nobody submitted a form.
        Assert.Equal([4L, 0, 0, 0, 0], funnel.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("entered").GetInt64()));
        using (var missing = await admin.GetAsync("/api/v1/analytics/metrics/funnel?funnel_id=nope"))
        {
            await missing.AssertProblemAsync(404);
        }

        var live = await admin.GetJsonAsync("/api/v1/analytics/dashboard/realtime");
        Assert.Equal((1L, 1L), (live.GetProperty("visitors_last5_minutes").GetInt64(), live.GetProperty("events_last5_minutes").GetInt64()));
        Assert.Equal(["Spring sale"], live.GetProperty("active_campaigns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["o-1", "o-2"], live.GetProperty("latest_conversions").EnumerateArray().Select(c => c.GetProperty("order_id").GetString()));
        Assert.Equal((50m, "purchase"), (live.GetProperty("latest_conversions")[0].GetProperty("value").GetDecimal(),
            live.GetProperty("latest_conversions")[0].GetProperty("goal").GetString()));
    }

    [BackendFact]
    public async Task Campaign_roi_engagement_dashboard_and_marketing_stats_reshape_the_same_figures()
    {
        using var admin = await ShopAsync("reports-campaigns");
        var range = $"start_date={DayText}&end_date={DayText}";

        var campaigns = (await admin.GetJsonAsync($"/api/marketing/analytics/campaigns?{range}")).GetProperty("campaigns").EnumerateArray().ToArray();
        // One visit each, so by tag (no tag first); the stored campaign without visits last.
        Assert.Equal([null, "april", "spring", "winter"], campaigns.Select(c => c.GetProperty("utm_campaign").GetString()));
        var spring = campaigns[2];
        Assert.Equal(("Spring sale", "1, 1, 50, 25, 2, 25"), (spring.GetProperty("name").GetString(),
            string.Join(", ", new[] { "visits", "conversions", "revenue", "cost", "roas", "cpa" }.Select(m => spring.GetProperty(m).ToString()))));
        Assert.Equal(("Dormant", 0L), (campaigns[3].GetProperty("name").GetString(), campaigns[3].GetProperty("visits").GetInt64()));

        var roi = await admin.GetJsonAsync($"/api/marketing/analytics/roi?{range}");
        Assert.Equal("25, 50, 100, 2", $"{roi.GetProperty("total_cost")}, {roi.GetProperty("total_revenue")}, {roi.GetProperty("roi_percent")}, {roi.GetProperty("campaign_count")}");

        var engagement = await admin.GetJsonAsync($"/api/marketing/analytics/engagement?{range}");
        // C bounced (one event); A and B did more. 4 page views over 3 visits.
        Assert.Equal("3, 4, 1.33, 33.33, 66.67", string.Join(", ", new[] { "visits", "pageviews", "views_per_visit", "bounce_rate", "engagement_rate" }
            .Select(m => engagement.GetProperty(m).ToString())));
        Assert.Equal(["page_view:4", "lead_created:1", "purchase:1"], engagement.GetProperty("events_by_type").EnumerateArray()
            .Select(t => $"{t.GetProperty("event_type").GetString()}:{t.GetProperty("events")}"));

        var dashboard = await admin.GetJsonAsync($"/api/marketing/analytics/dashboard?{range}");
        Assert.Equal("2, 1, 100, 66.67", $"{dashboard.GetProperty("total_campaigns")}, {dashboard.GetProperty("active_campaigns")}, " +
            $"{dashboard.GetProperty("total_roi")}, {dashboard.GetProperty("engagement_rate")}");
        Assert.Equal(["april", "spring"], dashboard.GetProperty("campaign_performance").EnumerateArray().Select(c => c.GetProperty("utm_campaign").GetString()));

        await admin.PostJsonAsync($"/api/v1/analytics/attribution/recompute?date_from={DayText}&date_to={DayText}", "", expectedStatus: 200);
        var stats = await admin.GetJsonAsync($"/api/marketing/stats?startDate={DayText}&endDate={DayText}&attributionModel=last_click");
        Assert.Equal("3, 3, 50, 1, 33.33, 50", string.Join(", ", new[] { "total_sessions", "unique_visitors", "sales_attributed_to_marketing",
            "orders_attributed_to_marketing", "conversion_rate", "average_order_value" }.Select(m => stats.GetProperty(m).ToString())));
        Assert.Equal((JsonValueKind.Null, "day"), (stats.GetProperty("emails_sent").ValueKind, stats.GetProperty("period").GetString()));

        foreach (var (path, field) in new[]
        {
            ($"/api/marketing/analytics/campaigns?start_date={DayText}", "end_date"),
            ("/api/marketing/analytics/roi?start_date=2025-03-02&end_date=2025-03-01", "end_date"),
            ("/api/marketing/analytics/engagement?start_date=yesterday&end_date=2025-03-01", "start_date"),
            ($"/api/marketing/stats?startDate={DayText}&attributionModel=best_guess", "attributionModel"),
        })
        {
            using var refused = await admin.GetAsync(path);
            await refused.AssertProblemAsync(400, field);
        }
    }
}

[NeedsServers]
public sealed class ReportsApiOnSqlite(TestServer server) : ReportsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class ReportsApiOnClickHouse(ClickHouseTestServer server) : ReportsApiTests(server), IClassFixture<ClickHouseTestServer>;
