using System.Globalization;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>Metrics are checked against values computed here, independently, from the events the test sent.</summary>
public abstract class MetricsApiTests(TestServer server)
{
    private sealed record Sent(string Type, string? Source, string? Medium, string? Campaign, DateTimeOffset At);

    private static readonly string[] Types = ["page_view", "page_view", "page_view", "lead_created", "quote_requested", "job_created", "button_click", "purchase"];
    private static readonly string?[] Sources = ["google", "facebook", "bing", "newsletter", null];
    private static readonly string?[] Mediums = ["cpc", "social", "organic", "email", null];
    private static readonly string?[] Campaigns = ["summer_2025", "brand_awareness", "black_friday", null];

    private static readonly DateTimeOffset October20 = new(2025, 10, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Events at random milliseconds over 20 days, so rollup buckets and range ends cut through them.</summary>
    private static List<Sent> Generate(int count, int seed, DateTimeOffset? from = null)
    {
        var random = new Random(seed);
        var start = from ?? October20;
        return Enumerable.Range(0, count).Select(_ => new Sent(
            Types[random.Next(Types.Length)], Sources[random.Next(Sources.Length)], Mediums[random.Next(Mediums.Length)],
            Campaigns[random.Next(Campaigns.Length)], start.AddMilliseconds(random.NextInt64(0, 20L * 86_400_000)))).ToList();
    }

    private static string Body(IEnumerable<Sent> events) => JsonSerializer.Serialize(events.Select(e => new Dictionary<string, object?>
    {
        ["event_type"] = e.Type,
        ["utm_source"] = e.Source,
        ["utm_medium"] = e.Medium,
        ["utm_campaign"] = e.Campaign,
        ["timestamp"] = e.At.ToString("O", CultureInfo.InvariantCulture),
    }));

    [BackendFact]
    public async Task Metrics_over_a_date_range_in_the_tenants_time_zone_match_an_independent_count()
    {
        // 2025-11-02 is the DST change in New York: the range crosses it.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        await AssertMetricsMatchAsync("metrics-tz", zone, October20, "2025-10-25", "2025-11-05",
            LocalMidnight(zone, new DateOnly(2025, 10, 25)), LocalMidnight(zone, new DateOnly(2025, 11, 6)).AddTicks(-TimeSpan.TicksPerMillisecond));
    }

    [BackendFact]
    public async Task Metrics_in_a_zone_a_quarter_hour_off_the_hour_match_an_independent_count()
    {
        // Kathmandu is UTC+5:45: its days begin at 18:15 UTC, inside the UTC days the day rollups cover.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kathmandu");
        await AssertMetricsMatchAsync("metrics-kathmandu", zone, October20, "2025-10-21", "2025-11-07",
            LocalMidnight(zone, new DateOnly(2025, 10, 21)), LocalMidnight(zone, new DateOnly(2025, 11, 8)).AddTicks(-TimeSpan.TicksPerMillisecond),
            deletions: 150);
    }

    [BackendFact]
    public async Task Metrics_between_date_times_that_cut_through_quarter_hours_match_an_independent_count()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        await AssertMetricsMatchAsync("metrics-instants", zone, October20, "2025-10-22T13:07:13.250Z", "2025-11-03T04:52:01.999Z",
            new DateTimeOffset(2025, 10, 22, 13, 7, 13, 250, TimeSpan.Zero), new DateTimeOffset(2025, 11, 3, 4, 52, 1, 999, TimeSpan.Zero),
            deletions: 100);
    }

    [BackendFact]
    public async Task Metrics_in_a_zone_whose_days_did_not_start_on_a_quarter_hour_match_an_independent_count()
    {
        // Kiritimati was UTC-10:40 until 1979: no quarter-hour rollup fits its days, so the events themselves are counted.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Kiritimati");
        var from = new DateTimeOffset(1975, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await AssertMetricsMatchAsync("metrics-kiritimati", zone, from, "1975-03-03", "1975-03-15",
            LocalMidnight(zone, new DateOnly(1975, 3, 3)), LocalMidnight(zone, new DateOnly(1975, 3, 16)).AddTicks(-TimeSpan.TicksPerMillisecond),
            deletions: 50);
    }

    private static DateTimeOffset LocalMidnight(TimeZoneInfo zone, DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>
    /// Sends 3,000 events, deletes some, and compares every figure of the overview and the conversion rates over
    /// [<paramref name="rangeFrom"/>, <paramref name="rangeTo"/>] with counts made here from what was sent.
    /// </summary>
    private async Task AssertMetricsMatchAsync(string slug, TimeZoneInfo zone, DateTimeOffset eventsFrom, string startDate, string endDate,
        DateTimeOffset rangeFrom, DateTimeOffset rangeTo, int deletions = 0)
    {
        var tenant = await server.CreateTenantAsync(slug);
        using var admin = server.WithKey(tenant.AdminKey);
        using (var patch = await admin.PatchAsync("/api/tenants/current", Http.Json(JsonSerializer.Serialize(new { time_zone = zone.Id }))))
        {
            Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
        }
        var events = Generate(3000, seed: slug.Length, eventsFrom);
        var ids = (await admin.PostJsonAsync("/marketing/events", Body(events))).GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();
        var random = new Random(7);
        foreach (var index in Enumerable.Range(0, events.Count).OrderBy(_ => random.Next()).Take(deletions).OrderDescending())
        {
            using var deleted = await admin.DeleteAsync($"/marketing/events/{ids[index]}");
            Assert.Equal(204, (int)deleted.StatusCode);
            events.RemoveAt(index);
        }
        DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        var inRange = events.Where(e => e.At >= rangeFrom && e.At <= rangeTo).ToList();
        string[] goals = ["quote_requested", "job_created", "purchase"];
        var query = $"start_date={Uri.EscapeDataString(startDate)}&end_date={Uri.EscapeDataString(endDate)}";

        var metrics = await admin.GetJsonAsync($"/marketing/metrics?{query}");

        Assert.Equal(inRange.Count, metrics.GetProperty("total_events").GetInt64());
        Assert.Equal(inRange.Count(e => e.Type == "page_view"), metrics.GetProperty("total_page_views").GetInt64());
        Assert.Equal(inRange.Count(e => e.Type == "lead_created"), metrics.GetProperty("total_leads").GetInt64());
        Assert.Equal(inRange.Count(e => goals.Contains(e.Type)), metrics.GetProperty("total_conversions").GetInt64());
        AssertTop(metrics.GetProperty("top_sources"), "source", inRange.Select(e => e.Source));
        AssertTop(metrics.GetProperty("top_campaigns"), "campaign", inRange.Select(e => e.Campaign));
        AssertTop(metrics.GetProperty("top_mediums"), "medium", inRange.Select(e => e.Medium));

        var timeline = metrics.GetProperty("timeline_data").EnumerateArray().ToList();
        Assert.Equal(LocalDay(rangeTo).DayNumber - LocalDay(rangeFrom).DayNumber + 1, timeline.Count);
        foreach (var point in timeline)
        {
            var day = DateOnly.Parse(point.GetProperty("date").GetString()!, CultureInfo.InvariantCulture);
            var ofDay = inRange.Where(e => LocalDay(e.At) == day).ToList();
            Assert.Equal(ofDay.Count, point.GetProperty("events").GetInt64());
            Assert.Equal(ofDay.Count(e => e.Type == "page_view"), point.GetProperty("page_views").GetInt64());
            Assert.Equal(ofDay.Count(e => e.Type == "lead_created"), point.GetProperty("leads").GetInt64());
            Assert.Equal(ofDay.Count(e => goals.Contains(e.Type)), point.GetProperty("conversions").GetInt64());
        }
        AssertRates((await admin.GetJsonAsync($"/marketing/metrics/conversion-rates?{query}")).EnumerateArray().ToList(), inRange);
    }

    [BackendFact]
    public async Task Changing_the_conversion_goals_changes_what_counts_as_a_conversion_and_deleted_events_do_not_count()
    {
        var tenant = await server.CreateTenantAsync("metrics-goals");
        using var admin = server.WithKey(tenant.AdminKey);
        var answer = await admin.PostJsonAsync("/marketing/events",
            """[{"event_type":"purchase"},{"event_type":"lead_created"},{"event_type":"phone_call"},{"event_type":"phone_call"}]""");
        Assert.Equal(1, (await admin.GetJsonAsync("/marketing/metrics")).GetProperty("total_conversions").GetInt64());

        using (var patch = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"conversion_goals":["phone_call"]}""")))
        {
            Assert.True(patch.IsSuccessStatusCode);
        }
        Assert.Equal(2, (await admin.GetJsonAsync("/marketing/metrics")).GetProperty("total_conversions").GetInt64());

        var phoneCall = answer.GetProperty("ids")[2].GetString();
        using (var deleted = await admin.DeleteAsync($"/marketing/events/{phoneCall}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        var after = await admin.GetJsonAsync("/marketing/metrics");
        Assert.Equal(1, after.GetProperty("total_conversions").GetInt64());
        Assert.Equal(3, after.GetProperty("total_events").GetInt64());
    }

    [BackendFact]
    public async Task Conversion_rates_by_source_are_leads_over_page_views_sorted_by_rate()
    {
        var tenant = await server.CreateTenantAsync("metrics-rates");
        using var admin = server.WithKey(tenant.AdminKey);
        var events = Generate(2000, seed: 7);
        await admin.PostJsonAsync("/marketing/events", Body(events));

        AssertRates((await admin.GetJsonAsync("/marketing/metrics/conversion-rates")).EnumerateArray().ToList(), events);
    }

    private static void AssertRates(List<JsonElement> rates, List<Sent> events)
    {
        var expected = events.GroupBy(e => e.Source).Select(g =>
        {
            var views = g.Count(e => e.Type == "page_view");
            var leads = g.Count(e => e.Type == "lead_created");
            return (Source: g.Key, Views: views, Leads: leads, Rate: views > 0 ? (double)Math.Round(leads * 100m / views, 2, MidpointRounding.AwayFromZero) : 0);
        }).ToList();
        Assert.Equal(expected.Count, rates.Count);
        foreach (var row in rates)
        {
            var source = row.GetProperty("utm_source").ValueKind == JsonValueKind.Null ? null : row.GetProperty("utm_source").GetString();
            var match = expected.Single(e => e.Source == source);
            Assert.Equal(match.Views, row.GetProperty("page_views").GetInt64());
            Assert.Equal(match.Leads, row.GetProperty("leads").GetInt64());
            Assert.Equal(match.Rate, row.GetProperty("conversion_rate").GetDouble(), 6);
        }
        var shown = rates.Select(r => r.GetProperty("conversion_rate").GetDouble()).ToList();
        Assert.Equal(shown.OrderByDescending(r => r), shown);
    }

    [BackendFact]
    public async Task With_no_events_metrics_are_zero_and_the_timeline_is_empty()
    {
        var tenant = await server.CreateTenantAsync("metrics-empty");
        using var admin = server.WithKey(tenant.AdminKey);

        var metrics = await admin.GetJsonAsync("/marketing/metrics");

        Assert.Equal(0, metrics.GetProperty("total_events").GetInt64());
        Assert.Equal(0, metrics.GetProperty("timeline_data").GetArrayLength());
        string[] fields = ["total_events", "total_page_views", "total_leads", "total_conversions", "top_sources", "top_campaigns", "top_mediums", "timeline_data"];
        Assert.Equal(fields.Order(), metrics.EnumerateObject().Select(p => p.Name).Order());
    }

    private static void AssertTop(JsonElement top, string field, IEnumerable<string?> values)
    {
        var expected = values.Where(v => v is not null).GroupBy(v => v!).Select(g => (Value: g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Value, StringComparer.Ordinal).Take(10).ToList();
        var actual = top.EnumerateArray().Select(t => (Value: t.GetProperty(field).GetString()!, Count: t.GetProperty("count").GetInt32())).ToList();
        Assert.Equal(expected, actual);
    }
}

[NeedsServers]
public sealed class MetricsApiOnSqlite(TestServer server) : MetricsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class MetricsApiOnPostgres(PostgresTestServer server) : MetricsApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class MetricsApiOnClickHouse(ClickHouseTestServer server) : MetricsApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class MetricsApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : MetricsApiTests(server), IClassFixture<PostgresClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class MetricsApiOnClickHouseCluster(ClickHouseClusterTestServer server) : MetricsApiTests(server), IClassFixture<ClickHouseClusterTestServer>;
