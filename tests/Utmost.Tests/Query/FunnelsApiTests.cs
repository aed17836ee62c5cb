using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>
/// AEON's funnel (pricing page → form → lead → quote → job) over five visitors whose progress is worked out by hand,
/// on every backend: the definitions live in the operational store, the counting in the event engine.
/// </summary>
public abstract class FunnelsApiTests(TestServer server)
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 6, 8, 0, 0, TimeSpan.Zero);

    private static object Event(string visitor, string type, double seconds, string? page = null, object? extra = null)
    {
        var json = new Dictionary<string, object?>
        {
            ["event_type"] = type, ["visitor_id"] = visitor, ["timestamp"] = T0.AddSeconds(seconds).ToString("O"), ["page_url"] = page,
        };
        if (extra is not null)
        {
            foreach (var p in extra.GetType().GetProperties())
            {
                json[p.Name] = p.GetValue(extra);
            }
        }
        return json.Where(p => p.Value is not null).ToDictionary();
    }

    private const string Pricing = "https://shop.example/pricing";

    /// <summary>
    /// V1 from Google ads goes all the way (60 s to the form, 120 s to the lead, 600 s to the quote, 3600 s to the job);
    /// V2 fills the form after 30 s but becomes a lead 25 hours later, past the 24-hour window; V3 becomes a lead
    /// (50 s) before filling the form (100 s); V4 never saw the pricing page; V5 saw it the day before the period.
    /// </summary>
    private async Task<HttpClient> ShopAsync(string slug)
    {
        var tenant = await server.CreateTenantAsync(slug);
        var admin = server.WithKey(tenant.AdminKey);
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new[]
        {
            Event("V1", "page_view", 0, Pricing, new { utm_source = "google", utm_medium = "cpc" }), Event("V1", "form_submit", 60),
            Event("V1", "lead_created", 120), Event("V1", "quote_requested", 600), Event("V1", "job_created", 3600),
            Event("V2", "page_view", 10, Pricing), Event("V2", "form_submit", 40), Event("V2", "lead_created", 10 + 25 * 3600),
            Event("V3", "page_view", 20, Pricing), Event("V3", "lead_created", 70), Event("V3", "form_submit", 120),
            Event("V4", "page_view", 30, "https://shop.example/blog"), Event("V4", "form_submit", 90),
            Event("V5", "page_view", -86400, Pricing), Event("V5", "form_submit", 100),
        }));
        return admin;
    }

    private static string Funnel(string order) => $$"""
        {"name": "Quote funnel", "window_hours": 24, "order": "{{order}}",
         "steps": [{"event_type": "page_view", "page": "/pricing", "name": "Pricing"}, "form_submit", "lead_created", "quote_requested", "job_created"]}
        """;

    /// <summary>Each step as "entered, converted, rate from start, rate from previous, drop-off, median seconds".</summary>
    private static string[] Steps(JsonElement steps) => steps.EnumerateArray().Select(s =>
        $"{s.GetProperty("entered")}, {s.GetProperty("converted")}, {s.GetProperty("conversion_rate")}, {s.GetProperty("step_conversion_rate")}, " +
        $"{s.GetProperty("drop_off")}, {s.GetProperty("median_seconds_to_convert").GetRawText()}").ToArray();

    [BackendFact]
    public async Task A_strict_funnel_counts_each_visitor_as_far_as_they_went_in_order_and_within_the_window()
    {
        using var admin = await ShopAsync("funnel-strict");
        var created = await admin.PostJsonAsync("/api/funnels", Funnel("strict"));
        var id = created.GetProperty("id").GetString();
        Assert.Equal(["Pricing", "form_submit", "lead_created", "quote_requested", "job_created"],
            created.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));

        var report = await admin.GetJsonAsync($"/api/funnels/{id}/report?date_range=2025-05-06,2025-05-06");

        // V1, V2 and V3 entered and filled the form; only V1 went on (V2 too late, V3 became a lead before the form).
        Assert.Equal(["3, 3, 100, 100, 0, null", "3, 1, 100, 100, 2, 60", "1, 1, 33.33, 33.33, 0, 120", "1, 1, 33.33, 100, 0, 600",
            "1, 1, 33.33, 100, 0, 3600"], Steps(report.GetProperty("steps")));
        Assert.Equal(["2025-05-06", "2025-05-06"], report.GetProperty("date_range").EnumerateArray().Select(d => d.GetString()));

        var byChannel = await admin.GetJsonAsync($"/api/funnels/{id}/report?date_range=2025-05-06,2025-05-06&breakdown=visit:channel");
        var groups = byChannel.GetProperty("breakdowns").EnumerateArray().ToArray();
        // Direct: V2 took 30 s to the form, V3 100 s.
        Assert.Equal(["Direct", "Paid Search"], groups.Select(g => g.GetProperty("value").GetString()));
        Assert.Equal(["2, 2, 100, 100, 0, null", "2, 0, 100, 100, 2, 65", "0, 0, 0, 0, 0, null", "0, 0, 0, 0, 0, null", "0, 0, 0, 0, 0, null"],
            Steps(groups[0].GetProperty("steps")));
        Assert.Equal(Steps(report.GetProperty("steps")), Steps(byChannel.GetProperty("steps")));
    }

    [BackendFact]
    public async Task In_any_order_the_later_steps_count_wherever_they_fall_in_the_window()
    {
        using var admin = await ShopAsync("funnel-any");
        var id = (await admin.PostJsonAsync("/api/funnels", Funnel("any"))).GetProperty("id").GetString();

        var report = await admin.GetJsonAsync($"/api/funnels/{id}/report?date_range=2025-05-06,2025-05-06");

        // V3's lead now counts: 50 s and V1's 120 s have a median of 85 s.
        Assert.Equal(["3, 3, 100, 100, 0, null", "3, 2, 100, 100, 1, 60", "2, 1, 66.67, 66.67, 1, 85", "1, 1, 33.33, 50, 0, 600",
            "1, 1, 33.33, 100, 0, 3600"], Steps(report.GetProperty("steps")));
    }

    [BackendFact]
    public async Task Funnels_are_listed_deleted_and_refused_by_name_and_never_reach_another_tenant()
    {
        using var admin = await ShopAsync("funnel-crud");
        var id = (await admin.PostJsonAsync("/api/funnels", Funnel("strict"))).GetProperty("id").GetString();
        Assert.Equal([id], (await admin.GetJsonAsync("/api/funnels")).EnumerateArray().Select(f => f.GetProperty("id").GetString()));

        var other = await server.CreateTenantAsync("funnel-other");
        using var stranger = server.WithKey(other.AdminKey);
        foreach (var path in new[] { $"/api/funnels/{id}", $"/api/funnels/{id}/report" })
        {
            using var hidden = await stranger.GetAsync(path);
            await hidden.AssertProblemAsync(404);
        }
        Assert.Equal(0, (await stranger.GetJsonAsync("/api/funnels")).GetArrayLength());

        foreach (var (body, field) in new[]
        {
            ("""{"name": "x", "steps": ["page_view"]}""", "steps"),
            ("""{"name": "x", "steps": ["a","b","c","d","e","f","g","h","i","j","k"]}""", "steps"),
            ("""{"name": "x", "steps": ["page_view", {"event_type": "Form Submit"}]}""", "steps[1].event_type"),
            ("""{"name": "x", "steps": ["page_view", {"page": "/x"}]}""", "steps[1].event_type"),
            ("""{"name": "x", "steps": ["page_view", "form_submit"], "window_hours": 0}""", "window_hours"),
            ("""{"name": "x", "steps": ["page_view", "form_submit"], "order": "random"}""", "order"),
            ("""{"steps": ["page_view", "form_submit"]}""", "name"),
        })
        {
            using var refused = await admin.PostAsync("/api/funnels", Http.Json(body));
            await refused.AssertProblemAsync(400, field);
        }
        foreach (var (query, field) in new[] { ("breakdown=event:type", "breakdown"), ("date_range=last_week", "date_range"),
            ("date_range=2025-05-06,2025-05-01", "date_range") })
        {
            using var refused = await admin.GetAsync($"/api/funnels/{id}/report?{query}");
            await refused.AssertProblemAsync(400, field);
        }

        // At most 100 funnels a tenant.
        for (var i = 1; i < 100; i++)
        {
            await admin.PostJsonAsync("/api/funnels", Funnel("any"));
        }
        using (var tooMany = await admin.PostAsync("/api/funnels", Http.Json(Funnel("any"))))
        {
            await tooMany.AssertProblemAsync(409);
        }

        using (var deleted = await admin.DeleteAsync($"/api/funnels/{id}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        using var gone = await admin.GetAsync($"/api/funnels/{id}");
        await gone.AssertProblemAsync(404);
    }
}

[NeedsServers]
public sealed class FunnelsApiOnSqlite(TestServer server) : FunnelsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class FunnelsApiOnClickHouse(ClickHouseTestServer server) : FunnelsApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class FunnelsApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : FunnelsApiTests(server), IClassFixture<PostgresClickHouseTestServer>;
