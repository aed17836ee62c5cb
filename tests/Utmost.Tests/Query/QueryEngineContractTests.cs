using System.Globalization;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>
/// The same generated shop sent to the embedded engine and to ClickHouse: every metric by a set of dimensions and
/// filters must come back the same from both, and a sample is checked against totals worked out here from the
/// generated visits themselves. The visits are built so their boundaries are plain (hours apart, the source on the
/// landing event only), which lets this test know each visit without a session builder of its own.
/// </summary>
[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class QueryEngineContractTests(TestServer sqlite, ClickHouseTestServer clickHouse)
    : IClassFixture<TestServer>, IClassFixture<ClickHouseTestServer>
{
    private static readonly string[] Range = ["2025-03-25", "2025-04-03"];

    private static readonly string[] AllMetrics =
    [
        "visitors", "visits", "pageviews", "events", "views_per_visit", "bounce_rate", "visit_duration", "conversions", "conversion_rate",
        "revenue", "average_order_value", "leads", "cost", "roas", "cpa",
    ];

    private static readonly string[][] DimensionSets =
    [
        [], ["visit:source"], ["visit:medium"], ["visit:campaign"], ["visit:channel"], ["visit:lead_source"], ["visit:referrer"],
        ["visit:entry_page"], ["visit:exit_page"], ["visit:device"], ["visit:browser"], ["visit:os"], ["visit:content"], ["visit:term"],
        ["time"], ["time:hour"], ["time:day"], ["time:week"], ["time:month"], ["visit:channel", "time:day"],
        ["event:type"], ["event:name"], ["event:page"], ["event:goal"], ["event:props:plan"], ["event:type", "visit:channel"], ["event:goal", "time:day"],
    ];

    private static readonly object?[] Filters =
    [
        null,
        new object[] { new object[] { "is", "visit:channel", new[] { "Paid Search", "Email" } } },
        new object[] { new object[] { "not", new object[] { "contains", "visit:source", new[] { "oo" } } } },
        new object[] { new object[] { "is", "event:type", new[] { "purchase" } } },
        new object[] { new object[] { "matches", "event:page", new[] { "^https://shop\\.example/(pricing|shop)$" } } },
        new object[] { new object[] { "or", new object[] {
            new object[] { "is", "visit:device", new[] { "mobile" } }, new object[] { "is_not", "event:props:plan", new[] { "basic" } } } } },
        new object[] { new object[] { "matches_not", "visit:entry_page", new[] { "blog" } }, new object[] { "is", "visit:campaign", new[] { "spring" } } },
    ];

    private static readonly (string Source, string? Medium, string? Campaign, string? Referrer, string Channel)[] Sources =
    [
        ("google", "cpc", "spring", null, "Paid Search"),
        ("newsletter", "email", "april", null, "Email"),
        ("bing", null, null, "https://www.bing.com/", "Organic Search"),
        ("(direct)", null, null, null, "Direct"),
    ];

    private static readonly string[] Pages = ["https://shop.example/", "https://shop.example/pricing", "https://shop.example/blog", "https://shop.example/shop"];

    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    ];

    private sealed record Event(string Type, long At, string? Page, string? Order, decimal? Revenue, string? Currency, string? Plan, object Json);

    private sealed record Visit(string Visitor, int SourceIndex, bool Mobile, List<Event> Events)
    {
        public long Start => Events[0].At;
        public long End => Events[^1].At;
        public string Source => Sources[SourceIndex].Source;
        public string Channel => Sources[SourceIndex].Channel;
        public int PageViews => Events.Count(e => e.Type == "page_view");
    }

    /// <summary>
    /// 40 visitors, 1 to 3 visits each on different days from 25 March to 3 April 2025 (Berlin's clocks change on
    /// 30 March), starting between 01:00 and 20:00 UTC, so every visit lies within the same Berlin day.
    /// </summary>
    private static List<Visit> Generate()
    {
        var random = new Random(20250325);
        var visits = new List<Visit>();
        var orders = 0;
        for (var v = 0; v < 40; v++)
        {
            var visitor = $"visitor-{v:D2}";
            var days = Enumerable.Range(0, 10).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Order();
            foreach (var day in days)
            {
                var start = new DateTimeOffset(2025, 3, 25, random.Next(1, 20), random.Next(0, 60), 0, TimeSpan.Zero).AddDays(day).ToUnixTimeMilliseconds();
                var sourceIndex = random.Next(Sources.Length);
                var (source, medium, campaign, referrer, _) = Sources[sourceIndex];
                var mobile = random.Next(2) == 0;
                var events = new List<Event>();
                var minute = 0;
                void Add(string type, string? page, string? order = null, decimal? revenue = null, string? currency = null, string? plan = null,
                    bool landing = false)
                {
                    var at = start + minute++ * 60_000L + random.Next(0, 30_000);
                    var json = new Dictionary<string, object?>
                    {
                        ["event_type"] = type, ["visitor_id"] = visitor, ["timestamp"] = DateTimeOffset.FromUnixTimeMilliseconds(at).ToString("O"),
                        ["page_url"] = page, ["user_agent"] = Agents[mobile ? 1 : 0],
                    };
                    if (landing && source != "(direct)")
                    {
                        if (referrer is not null)
                        {
                            json["referrer_url"] = referrer;
                        }
                        else
                        {
                            (json["utm_source"], json["utm_medium"], json["utm_campaign"]) = (source, medium, campaign);
                        }
                    }
                    if (order is not null)
                    {
                        json["order_id"] = order;
                        json["revenue"] = new { amount = revenue, currency };
                    }
                    if (plan is not null)
                    {
                        json["properties"] = new { plan };
                    }
                    events.Add(new Event(type, at, page, order, revenue, currency, plan, json.Where(p => p.Value is not null).ToDictionary()));
                }
                for (var p = random.Next(1, 5); p > 0; p--)
                {
                    Add("page_view", Pages[random.Next(Pages.Length)], landing: events.Count == 0);
                }
                if (random.Next(5) == 0)
                {
                    Add("lead_created", null);
                }
                if (random.Next(6) == 0)
                {
                    Add("button_click", Pages[1]);
                }
                if (random.Next(4) == 0)
                {
                    var order = $"order-{++orders}";
                    var revenue = random.Next(1000, 10000) / 100m;
                    var currency = random.Next(10) == 0 ? "USD" : "EUR";
                    var plan = random.Next(2) == 0 ? "pro" : "basic";
                    Add("purchase", Pages[3], order, revenue, currency, plan);
                    if (random.Next(5) == 0)
                    {
                        Add("purchase", Pages[3], order, revenue, currency, plan);
                    }
                }
                visits.Add(new Visit(visitor, sourceIndex, mobile, events));
            }
        }
        return visits;
    }

    private static readonly List<Visit> Shop = Generate();

    private async Task<HttpClient> LoadAsync(TestServer server)
    {
        var tenant = await server.CreateTenantAsync("contract");
        var admin = server.WithKey(tenant.AdminKey);
        using (var zone = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"time_zone":"Europe/Berlin"}""")))
        {
            Assert.Equal(200, (int)zone.StatusCode);
        }
        var events = Shop.SelectMany(v => v.Events).Select(e => e.Json).ToArray();
        foreach (var chunk in events.Chunk(100))
        {
            await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(chunk));
        }
        var costs = Enumerable.Range(0, 10).Select(d => new { date = new DateOnly(2025, 3, 25).AddDays(d).ToString("yyyy-MM-dd"), source = "google",
            medium = "cpc", campaign = "spring", cost = 12.5 + d, currency = "EUR" });
        await admin.PostJsonAsync("/api/costs", JsonSerializer.Serialize(costs), expectedStatus: 200);
        return admin;
    }


    [Fact]
    public async Task Every_metric_by_every_dimension_set_and_filter_is_the_same_on_sqlite_and_clickhouse_and_matches_the_generated_shop()
    {
        using var embedded = await LoadAsync(sqlite);
        using var columnar = await LoadAsync(clickHouse);
        var compared = 0;
        foreach (var dimensions in DimensionSets)
        {
            foreach (var filters in Filters)
            {
                var query = new Dictionary<string, object>
                {
                    ["metrics"] = AllMetrics, ["date_range"] = Range, ["dimensions"] = dimensions,
                    ["include"] = new { total_rows = true, comparisons = "previous_period" },
                };
                if (filters is not null)
                {
                    query["filters"] = filters;
                }
                var (a, b) = (await QueryAnswers.QueryAsync(embedded, query), await QueryAnswers.QueryAsync(columnar, query));
                var what = JsonSerializer.Serialize(query);
                Assert.True(a.GetProperty("results").GetArrayLength() > 0 || filters is not null, $"no rows for {what}");
                Assert.Equal(a.GetProperty("results").ToString(), b.GetProperty("results").ToString());
                Assert.Equal(a.GetProperty("meta").ToString(), b.GetProperty("meta").ToString());
                compared++;
            }
        }
        Assert.Equal(DimensionSets.Length * Filters.Length, compared);

        await CheckAgainstTheShopAsync(embedded);
        await FunnelsAgreeAsync(embedded, columnar);
    }

    /// <summary>
    /// Funnels of both orders, with and without a breakdown, the same on both engines (ClickHouse counts strict ones with
    /// windowFunnel); the strict one's counts also as worked out here: from each page view, the first click after it, then
    /// the first purchase after that, all within the hour.
    /// </summary>
    private static async Task FunnelsAgreeAsync(HttpClient embedded, HttpClient columnar)
    {
        const string Steps = """["page_view", {"event_type": "button_click", "page": "/pricing"}, "purchase"]""";
        foreach (var order in new[] { "strict", "any" })
        {
            var definition = $$"""{"name": "Buy", "window_hours": 1, "order": "{{order}}", "steps": {{Steps}}}""";
            var (a, b) = (await embedded.PostJsonAsync("/api/funnels", definition), await columnar.PostJsonAsync("/api/funnels", definition));
            foreach (var breakdown in new[] { "", "&breakdown=visit:channel", "&breakdown=visit:device" })
            {
                var query = $"/report?date_range={Range[0]},{Range[1]}{breakdown}";
                var (x, y) = (await embedded.GetJsonAsync($"/api/funnels/{a.GetProperty("id")}{query}"),
                    await columnar.GetJsonAsync($"/api/funnels/{b.GetProperty("id")}{query}"));
                Assert.Equal(x.GetProperty("steps").ToString(), y.GetProperty("steps").ToString());
                Assert.Equal(x.GetProperty("breakdowns").ToString(), y.GetProperty("breakdowns").ToString());
                if (order == "strict" && breakdown.Length == 0)
                {
                    var expected = ExpectedStrictFunnel();
                    Assert.True(expected[2] > 0, "the generated shop should take someone through the whole funnel");
                    Assert.Equal(expected, x.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("entered").GetInt64()));
                }
            }
        }
    }

    private static long[] ExpectedStrictFunnel()
    {
        var reached = new long[3];
        foreach (var visitor in Shop.GroupBy(v => v.Visitor))
        {
            var events = visitor.SelectMany(v => v.Events).OrderBy(e => e.At).ToList();
            var level = 0;
            foreach (var start in events.Where(e => e.Type == "page_view"))
            {
                var end = start.At / 1000 + 3600;
                var click = events.FirstOrDefault(e => e.Type == "button_click" && e.At >= start.At && e.At / 1000 <= end);
                var purchase = click is null ? null : events.FirstOrDefault(e => e.Type == "purchase" && e.At >= click.At && e.At / 1000 <= end);
                level = Math.Max(level, purchase is not null ? 3 : click is not null ? 2 : 1);
            }
            for (var step = 0; step < level; step++)
            {
                reached[step]++;
            }
        }
        return reached;
    }

    /// <summary>A sample of answers, worked out from the generated visits (events in the range, EUR only).</summary>
    private static async Task CheckAgainstTheShopAsync(HttpClient client)
    {
        // Visits by source: every visit, with its page views, its bounce (one event), its length, its conversions.
        var bySource = await QueryAnswers.QueryAsync(client, new
        {
            metrics = new[] { "visitors", "visits", "pageviews", "bounce_rate", "visit_duration", "conversions", "revenue" }, date_range = Range,
            dimensions = new[] { "visit:source" }, order_by = new[] { new[] { "visit:source", "asc" } },
        });
        var expected = Shop.GroupBy(v => v.Source).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var visits = g.ToList();
            var conversions = visits.Sum(v => v.Events.Where(e => e.Type == "purchase").Select(e => e.Order).Distinct().Count());
            var revenue = visits.Sum(v => v.Events.Where(e => e.Type == "purchase" && e.Currency == "EUR").DistinctBy(e => e.Order).Sum(e => e.Revenue!.Value));
            var bounces = visits.Count(v => v.Events.Count == 1);
            var seconds = Math.Round(visits.Sum(v => v.End - v.Start) / 1000.0 / visits.Count, MidpointRounding.AwayFromZero);
            return $"{g.Key} => {visits.Select(v => v.Visitor).Distinct().Count()}, {visits.Count}, {visits.Sum(v => v.PageViews)}, " +
                $"{Rate(bounces, visits.Count)}, {seconds.ToString(CultureInfo.InvariantCulture)}, {conversions}, {Money(revenue)}";
        });
        Assert.Equal(expected, QueryAnswers.Rows(bySource));

        // Events by type: counts, the people behind them, and purchases as conversions with each order once.
        var byType = await QueryAnswers.QueryAsync(client, new
        {
            metrics = new[] { "visitors", "events", "conversions", "revenue" }, date_range = Range, dimensions = new[] { "event:type" },
            order_by = new[] { new[] { "event:type", "asc" } },
        });
        var events = Shop.SelectMany(v => v.Events.Select(e => (Visit: v, Event: e))).ToList();
        var expectedTypes = events.GroupBy(x => x.Event.Type).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var purchases = g.Where(x => x.Event.Type == "purchase").ToList();
            var revenue = purchases.Where(x => x.Event.Currency == "EUR").DistinctBy(x => x.Event.Order).Sum(x => x.Event.Revenue!.Value);
            return $"{g.Key} => {g.Select(x => x.Visit.Visitor).Distinct().Count()}, {g.Count()}, {purchases.Select(x => x.Event.Order).Distinct().Count()}, {Money(revenue)}";
        });
        Assert.Equal(expectedTypes, QueryAnswers.Rows(byType));

        // Purchases of Paid Search and Email visits, by channel and plan: the join of events to their visits.
        var joined = await QueryAnswers.QueryAsync(client, new
        {
            metrics = new[] { "events", "visits" }, date_range = Range, dimensions = new[] { "visit:channel", "event:props:plan" },
            filters = new object[] { new object[] { "is", "event:type", new[] { "purchase" } }, new object[] { "is", "visit:channel", new[] { "Paid Search", "Email" } } },
            order_by = new[] { new[] { "visit:channel", "asc" }, new[] { "event:props:plan", "asc" } },
        });
        var expectedJoined = events.Where(x => x.Event.Type == "purchase" && x.Visit.Channel is "Paid Search" or "Email")
            .GroupBy(x => (x.Visit.Channel, x.Event.Plan)).OrderBy(g => g.Key.Channel, StringComparer.Ordinal).ThenBy(g => g.Key.Plan, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Channel}|{g.Key.Plan} => {g.Count()}, {g.Select(x => x.Visit).Distinct().Count()}");
        Assert.Equal(expectedJoined, QueryAnswers.Rows(joined));

        // Visits per Berlin day: 30 March has 23 hours.
        var byDay = await QueryAnswers.QueryAsync(client, new { metrics = new[] { "visits" }, date_range = Range, dimensions = new[] { "time:day" } });
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var expectedDays = Shop.GroupBy(v => TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(v.Start), berlin).ToString("yyyy-MM-dd"))
            .Where(g => string.CompareOrdinal(g.Key, Range[0]) >= 0 && string.CompareOrdinal(g.Key, Range[1]) <= 0)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} => {g.Count()}");
        Assert.Equal(expectedDays, QueryAnswers.Rows(byDay));

        // Cost of Google ads over the range, and ROAS on their EUR revenue.
        var paid = await QueryAnswers.QueryAsync(client, new
        {
            metrics = new[] { "cost", "roas" }, date_range = Range, filters = new object[] { new object[] { "is", "visit:source", new[] { "google" } } },
        });
        var cost = Enumerable.Range(0, 10).Sum(d => 12.5m + d);
        var googleRevenue = Shop.Where(v => v.Source == "google").Sum(v => v.Events.Where(e => e.Type == "purchase" && e.Currency == "EUR").DistinctBy(e => e.Order).Sum(e => e.Revenue!.Value));
        Assert.Equal([$" => {Money(cost)}, {Money(Math.Round(googleRevenue / cost, 2, MidpointRounding.AwayFromZero))}"], QueryAnswers.Rows(paid));
    }

    private static string Rate(long part, long whole) =>
        (whole == 0 ? 0 : Math.Round(part * 100m / whole, 2, MidpointRounding.AwayFromZero)).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Money(decimal amount) => amount.ToString("0.##", CultureInfo.InvariantCulture);


}
