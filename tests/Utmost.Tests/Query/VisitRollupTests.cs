using System.Text.Json;
using Utmost.Core.Query;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>
/// The visit rollup answers queries by traffic source and day. A query over whole days reads it; the same period
/// given as instants reads the sessions: the two must give the same rows, also after late events, deletes, and a
/// change of the tenant's time zone. Over 512 visitors a day the rollup estimates them (within a few percent).
/// </summary>
public abstract class VisitRollupTests(TestServer server)
{
    private static readonly string[] Days = ["2025-06-02", "2025-06-06"];

    private static readonly string[] Metrics =
    [
        "visitors", "visits", "pageviews", "events", "views_per_visit", "bounce_rate", "visit_duration", "conversions", "conversion_rate",
        "revenue", "average_order_value", "leads",
    ];

    private static readonly string[][] DimensionSets =
    [
        [], ["visit:source"], ["visit:channel"], ["visit:campaign", "visit:medium"], ["time:day"], ["time:week"], ["time:month"],
        ["visit:source", "time:day"],
    ];

    private static readonly object[][] FilterSets =
    [
        [], [new object[] { "is", "visit:source", new[] { "google", "bing" } }], [new object[] { "contains", "visit:campaign", new[] { "sum" } }],
        [new object[] { "not", new object[] { "is", "visit:channel", new[] { "Direct" } } }],
    ];

    private static readonly (string? Source, string? Medium, string? Campaign, string? Referrer)[] Arrivals =
    [
        ("google", "cpc", "summer-sale", null), ("google", "cpc", "brand", null), ("newsletter", "email", "summer-news", null),
        (null, null, null, "https://www.bing.com/"), (null, null, null, null), ("facebook", "paid", "retarget", null),
    ];

    /// <summary>120 visitors with one to three visits over the five days (some near local midnight), page views, leads and orders.</summary>
    private static object[] Shop(int seed, string visitorPrefix)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2025, 6, 1, 21, 0, 0, TimeSpan.Zero);
        var events = new List<object>();
        for (var v = 0; v < 120; v++)
        {
            var visitor = $"{visitorPrefix}{v}";
            foreach (var _ in Enumerable.Range(0, random.Next(1, 4)))
            {
                var at = start.AddMinutes(random.Next(0, 5 * 24 * 60));
                var arrival = Arrivals[random.Next(Arrivals.Length)];
                var pages = random.Next(1, 5);
                for (var p = 0; p < pages; p++)
                {
                    events.Add(p == 0
                        ? new { event_type = "page_view", visitor_id = visitor, timestamp = at.ToString("O"), utm_source = arrival.Source,
                            utm_medium = arrival.Medium, utm_campaign = arrival.Campaign, referrer_url = arrival.Referrer }
                        : new { event_type = "page_view", visitor_id = visitor, timestamp = at.AddMinutes(p).ToString("O"), utm_source = (string?)null,
                            utm_medium = (string?)null, utm_campaign = (string?)null, referrer_url = (string?)null });
                }
                if (random.NextDouble() < 0.2)
                {
                    events.Add(new { event_type = "lead_created", visitor_id = visitor, timestamp = at.AddMinutes(pages).ToString("O") });
                }
                if (random.NextDouble() < 0.25)
                {
                    events.Add(new { event_type = "purchase", visitor_id = visitor, timestamp = at.AddMinutes(pages + 1).ToString("O"),
                        order_id = $"{visitor}-{events.Count}", revenue = new { amount = 10 + random.Next(90), currency = random.Next(5) == 0 ? "USD" : "EUR" } });
                }
            }
        }
        return events.ToArray();
    }

    private async Task<HttpClient> TenantAsync(string slug, string zone)
    {
        var tenant = await server.CreateTenantAsync(slug);
        var admin = server.WithKey(tenant.AdminKey);
        using var patched = await admin.PatchAsync("/api/tenants/current", Http.Json(new { time_zone = zone }));
        Assert.Equal(200, (int)patched.StatusCode);
        return admin;
    }

    /// <summary>The same days as instants in the zone's offset (June: no clock change), which the rollup does not answer.</summary>
    private static string[] Instants(string offset) => [$"{Days[0]}T00:00:00.000{offset}", $"{Days[1]}T23:59:59.999{offset}"];

    private static async Task<string[]> RowsAsync(HttpClient admin, object[] range, string[] dimensions, object[] filters)
    {
        var answer = await admin.QueryAsync(new { metrics = Metrics, date_range = range, dimensions, filters });
        return QueryAnswers.Rows(answer);
    }

    /// <summary>Every query shape of the rollup, over whole days and over the same instants: the same rows.</summary>
    private static async Task AssertRollupMatchesSessionsAsync(HttpClient admin, string offset)
    {
        foreach (var dimensions in DimensionSets)
        {
            foreach (var filters in FilterSets)
            {
                var fromRollup = await RowsAsync(admin, Days, dimensions, filters);
                var fromSessions = await RowsAsync(admin, Instants(offset), dimensions, filters);
                Assert.True(fromSessions.SequenceEqual(fromRollup),
                    $"{string.Join(",", dimensions)} {JsonSerializer.Serialize(filters)}:\nsessions {string.Join("; ", fromSessions)}\nrollup   {string.Join("; ", fromRollup)}");
            }
        }
    }

    [BackendFact]
    public async Task The_rollup_answers_what_the_sessions_answer_also_after_late_events_deletes_and_a_new_time_zone()
    {
        using var admin = await TenantAsync("rollup-same", "Europe/Berlin");
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(Shop(3, "v")));
        await AssertRollupMatchesSessionsAsync(admin, "+02:00");
        var visits = async () => (await admin.QueryAsync(new { metrics = new[] { "visits" }, date_range = Days })).GetProperty("results")[0]
            .GetProperty("metrics")[0].GetInt64();
        var before = await visits();

        // Two new visits on the third day, and the only event of a visit on the fourth deleted.
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new object[]
        {
            new { event_type = "page_view", visitor_id = "late-1", timestamp = "2025-06-04T10:00:00Z", utm_source = "bing", utm_medium = "cpc" },
            new { event_type = "page_view", visitor_id = "late-2", timestamp = "2025-06-04T11:00:00Z" },
        }));
        var doomed = (await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new object[]
        {
            new { event_type = "page_view", visitor_id = "gone", timestamp = "2025-06-05T10:00:00Z", utm_source = "google", utm_medium = "cpc" },
        }))).GetProperty("ids")[0].GetString();
        Assert.Equal(before + 3, await visits());
        using (var deleted = await admin.DeleteAsync($"/marketing/events/{doomed}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        Assert.Equal(before + 2, await visits());
        await AssertRollupMatchesSessionsAsync(admin, "+02:00");

        // Other days: the rollup is made again in the new zone.
        using (var patched = await admin.PatchAsync("/api/tenants/current", Http.Json(new { time_zone = "America/New_York" })))
        {
            Assert.Equal(200, (int)patched.StatusCode);
        }
        await AssertRollupMatchesSessionsAsync(admin, "-04:00");
    }

    [BackendFact]
    public async Task Past_512_visitors_a_day_the_rollup_estimates_them_as_the_sketch_does()
    {
        using var admin = await TenantAsync("rollup-many", "UTC");
        var ids = Enumerable.Range(0, 1_500).Select(i => $"crowd-{i}").ToList();
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(ids.Select((id, i) => new
        {
            event_type = "page_view", visitor_id = id, timestamp = $"2025-06-03T{i % 24:00}:{i % 60:00}:00Z", utm_source = "google", utm_medium = "cpc",
        })));
        var sketch = new VisitorSketch();
        ids.ForEach(sketch.Add);

        var estimated = (await admin.QueryAsync(new { metrics = new[] { "visitors", "visits" }, date_range = Days })).GetProperty("results")[0].GetProperty("metrics");
        var exact = (await admin.QueryAsync(new { metrics = new[] { "visitors", "visits" }, date_range = Instants("Z") })).GetProperty("results")[0].GetProperty("metrics");

        Assert.False(sketch.IsExact);
        Assert.Equal(sketch.Count(), estimated[0].GetInt64());
        Assert.InRange(Math.Abs(estimated[0].GetInt64() - 1_500), 0, 75);
        Assert.Equal(1_500, exact[0].GetInt64());
        Assert.Equal(1_500, estimated[1].GetInt64());
    }
}

public sealed class VisitRollupOnSqlite(TestServer server) : VisitRollupTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class VisitRollupOnClickHouse(ClickHouseTestServer server) : VisitRollupTests(server), IClassFixture<ClickHouseTestServer>;
