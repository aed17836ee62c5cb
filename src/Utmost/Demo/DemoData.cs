using System.Text.Json;
using Utmost.Campaigns;
using Utmost.Core.Campaigns;
using Utmost.Core.Common;
using Utmost.Core.Costs;
using Utmost.Core.Events;
using Utmost.Core.Funnels;
using Utmost.Costs;
using Utmost.Events;
using Utmost.Funnels;
using Utmost.Ingestion;
using Utmost.Tenancy;

namespace Utmost.Demo;

/// <summary>
/// <c>serve --demo</c>: gives a tenant that has no events yet 30 days of made-up traffic to look at. About 3,000 visitors
/// come from search ads, organic search, social, a newsletter, a partner's blog and direct visits; a third of them come
/// back through another channel, so the attribution models disagree. There are leads, quotes and purchases, four
/// campaigns with budgets and daily ad costs, the AEON funnel, and a few visitors on the site right now. The events go
/// through the same parsing and enrichment as the ingestion API. The same seed gives the same shape of data.
/// </summary>
public sealed partial class DemoData(ITenantStore tenants, EventWriter writer, IEventStore events, ICampaignStore campaigns, ICostStore costs,
    FunnelStore funnels, TimeProvider clock, ILogger<DemoData> logger)
{
    private const int Days = 30;
    private const int VisitorsPerDay = 100;

    private sealed record Source(string Name, double Weight, string? UtmSource, string? UtmMedium, string? UtmCampaign, string? Referrer,
        string? ClickId, double Conversion);

    // Weights are shares of first visits; Conversion scales how likely a visit of that source ends in a lead or a sale.
    private static readonly Source[] Sources =
    [
        new("google ads: spring sale", 16, "google", "cpc", "spring_sale", null, "gclid", 1.5),
        new("google ads: brand", 8, "google", "cpc", "brand_search", null, "gclid", 2.0),
        new("organic search", 24, null, null, null, "https://www.google.com/", null, 1.0),
        new("facebook retargeting", 12, "facebook", "paid_social", "retargeting", null, "fbclid", 0.8),
        new("instagram", 8, null, null, null, "https://l.instagram.com/", null, 0.6),
        new("newsletter", 10, "newsletter", "email", "weekly_newsletter", null, null, 1.8),
        new("partner blog", 6, null, null, null, "https://blog.partner.example/best-tools", null, 1.2),
        new("direct", 16, null, null, null, null, null, 1.3),
    ];

    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    ];

    private static readonly string[] Pages = ["/", "/pricing", "/features", "/blog/launch-week", "/blog/five-tips", "/contact", "/about"];

    /// <summary>Loads the demo into the tenant <paramref name="slug"/>; returns the number of events, 0 when it already had events.</summary>
    public async Task<int> LoadAsync(string slug, CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindBySlugAsync(slug, cancellationToken)
            ?? throw new InvalidOperationException($"There is no tenant '{slug}' to load the demo into.");
        if ((await events.ListAsync(tenant, new EventFilter { Limit = 1 }, cancellationToken)).Count > 0)
        {
            Log.Skipped(logger, slug);
            return 0;
        }
        var now = clock.GetUtcNow();
        var random = new Random(2026);
        var generated = Traffic(random, now);
        // Trusted, as a keyed server-side sender: the visitor's address and browser are taken from the events.
        var context = new IngestionContext(tenant.Id, tenant.Key, null, null, Trusted: true, now, ChannelRulesJson.ChannelRulesOf(tenant));
        foreach (var part in generated.Chunk(5_000))
        {
            var parsed = EventParser.Parse(JsonSerializer.SerializeToUtf8Bytes(part), allowArray: true, now);
            if (!parsed.Errors.IsEmpty)
            {
                throw new InvalidOperationException($"The demo made an invalid event: {string.Join("; ", parsed.Errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
            }
            await writer.AppendAsync(parsed.Events.Select(input => EventEnricher.Enrich(input, context)).ToArray(), cancellationToken);
        }
        await AddCampaignsAndCostsAsync(tenant, now, random, cancellationToken);
        Log.Loaded(logger, generated.Count, slug);
        return generated.Count;
    }

    /// <summary>
    /// The events, oldest first, as a server-side sender states them: with the visitor's address and browser, and the
    /// visit's UTM tags on each of its events, as the tracker sends them.
    /// </summary>
    private static List<Dictionary<string, object?>> Traffic(Random random, DateTimeOffset now)
    {
        var all = new List<Dictionary<string, object?>>();
        Source Pick(Func<Source, double> weight)
        {
            var roll = random.NextDouble() * Sources.Sum(weight);
            foreach (var source in Sources)
            {
                roll -= weight(source);
                if (roll <= 0)
                {
                    return source;
                }
            }
            return Sources[^1];
        }
        var visitor = 0;
        for (var day = Days; day >= 0; day--)
        {
            // Weekdays are busier than weekends, and traffic grows a little over the month.
            var date = new DateTimeOffset(now.AddDays(-day).UtcDateTime.Date, TimeSpan.Zero);
            var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var count = (int)(VisitorsPerDay * (weekend ? 0.65 : 1.1) * (0.85 + 0.3 * (Days - day) / Days));
            for (var v = 0; v < count; v++, visitor++)
            {
                var id = $"demo-{visitor:00000}";
                var ua = UserAgents[random.Next(UserAgents.Length)];
                var ip = $"198.51.100.{random.Next(1, 255)}";
                var start = date.AddMinutes(random.Next(7 * 60, 23 * 60));
                if (start > now)
                {
                    start = now.AddMinutes(-random.Next(10, 600));
                }
                var first = Pick(s => s.Weight);
                Visit(all, random, id, ip, ua, first, start, lastTouch: false);
                // A third come back within days, often through another channel; their second visit converts more.
                if (random.NextDouble() < 0.33)
                {
                    var back = start.AddHours(random.Next(6, 24 * 6));
                    if (back < now)
                    {
                        Visit(all, random, id, ip, ua, Pick(s => s.Name is "newsletter" or "direct" or "google ads: brand" ? s.Weight * 3 : s.Weight), back, lastTouch: true);
                    }
                }
            }
        }
        // Some visitors on the site now, for the realtime view.
        for (var v = 0; v < 7; v++, visitor++)
        {
            Visit(all, random, $"demo-{visitor:00000}", "198.51.100.7", UserAgents[v % UserAgents.Length], Pick(s => s.Weight), now.AddMinutes(-random.Next(1, 4)),
                lastTouch: false, live: true);
        }
        return all.OrderBy(e => (string)e["timestamp"]!, StringComparer.Ordinal).ToList();
    }

    private static void Visit(List<Dictionary<string, object?>> all, Random random, string visitor, string ip, string ua, Source source, DateTimeOffset at,
        bool lastTouch, bool live = false)
    {
        var landing = Pages[random.Next(Pages.Length)];
        var query = new List<string>();
        if (source.UtmSource is not null)
        {
            query.Add($"utm_source={source.UtmSource}&utm_medium={source.UtmMedium}&utm_campaign={source.UtmCampaign}");
        }
        if (source.ClickId is not null)
        {
            query.Add($"{source.ClickId}=demo{random.Next(1_000_000)}");
        }
        var url = $"https://shop.example{landing}{(query.Count > 0 ? "?" + string.Join('&', query) : "")}";
        // Only the landing page has the outside referrer; the pages after it were reached from the site itself.
        Dictionary<string, object?> Event(string type, DateTimeOffset when, string page, string? referrer = "https://shop.example/") => new()
        {
            ["event_type"] = type, ["visitor_id"] = visitor, ["timestamp"] = when.ToString("O"), ["page_url"] = page, ["referrer_url"] = referrer,
            ["utm_source"] = source.UtmSource, ["utm_medium"] = source.UtmMedium, ["utm_campaign"] = source.UtmCampaign,
            ["ip_address"] = ip, ["user_agent"] = ua,
        };
        void Add(Dictionary<string, object?> e) => all.Add(e);
        Add(Event("page_view", at, url, source.Referrer));
        var pages = live ? 1 : random.Next(1, 7);
        for (var p = 1; p < pages; p++)
        {
            at = at.AddSeconds(random.Next(15, 240));
            Add(Event("page_view", at, $"https://shop.example{Pages[random.Next(Pages.Length)]}"));
        }
        if (live)
        {
            return;
        }
        var chance = source.Conversion * (lastTouch ? 1.6 : 1.0);
        if (random.NextDouble() < 0.14 * chance)
        {
            at = at.AddSeconds(random.Next(30, 300));
            Add(Event("form_submit", at, "https://shop.example/contact"));
            if (random.NextDouble() < 0.7)
            {
                Add(Event("lead_created", at.AddSeconds(2), "https://shop.example/contact"));
                if (random.NextDouble() < 0.45)
                {
                    Add(Event("quote_requested", at.AddMinutes(random.Next(2, 30)), "https://shop.example/pricing"));
                }
            }
        }
        if (random.NextDouble() < 0.035 * chance)
        {
            var purchase = Event("purchase", at.AddMinutes(random.Next(1, 20)), "https://shop.example/checkout");
            purchase["order_id"] = $"demo-order-{visitor}-{random.Next(1000)}";
            purchase["revenue"] = new Dictionary<string, object> { ["amount"] = Math.Round(29 + random.NextDouble() * 470, 2), ["currency"] = "EUR" };
            Add(purchase);
        }
    }

    private async Task AddCampaignsAndCostsAsync(Tenant tenant, DateTimeOffset now, Random random, CancellationToken cancellationToken)
    {
        (string Name, string Type, string Status, string Tag, string Source, string Medium, decimal Budget, double DailyCost)[] planned =
        [
            ("Spring sale", "ppc", "active", "spring_sale", "google", "cpc", 3000m, 62),
            ("Brand search", "ppc", "active", "brand_search", "google", "cpc", 900m, 18),
            ("Retargeting", "social", "paused", "retargeting", "facebook", "paid_social", 1200m, 31),
            ("Weekly newsletter", "email", "active", "weekly_newsletter", "newsletter", "email", 150m, 3),
        ];
        var rows = new List<CostRow>();
        foreach (var (name, type, status, tag, source, medium, budget, dailyCost) in planned)
        {
            var spent = 0m;
            for (var day = Days; day >= 1; day--)
            {
                var cost = (decimal)Math.Round(dailyCost * (0.7 + 0.6 * random.NextDouble()), 2);
                spent += cost;
                rows.Add(new CostRow(DateOnly.FromDateTime(now.AddDays(-day).UtcDateTime), tag, source, medium, (long)(cost * 1_000_000m),
                    (long)(cost * (type == "ppc" ? 1.2m : 4m)), (long)(cost * 60m), "EUR"));
            }
            await campaigns.InsertAsync(new Campaign
            {
                Id = Ids.New(now), TenantId = tenant.Id, CampaignName = name, CampaignType = type, Status = status, StartDate = new DateTimeOffset(now.AddDays(-Days).UtcDateTime.Date, TimeSpan.Zero),
                Budget = budget, Spent = spent, Currency = "EUR", UtmCampaign = tag, UtmSource = source, UtmMedium = medium, CreatedAt = now, UpdatedAt = now,
            }, cancellationToken);
        }
        await costs.UpsertAsync(tenant.Id, rows, now, cancellationToken);
        await funnels.InsertAsync(new Funnel(Ids.New(now), tenant.Id, "Visit to quote",
            [new("Page view", "page_view"), new("Form submitted", "form_submit"), new("Lead", "lead_created"), new("Quote requested", "quote_requested")],
            WindowHours: 72, FunnelOrder.Strict, now), cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Demo: tenant '{Slug}' already has events; nothing was added")]
        public static partial void Skipped(ILogger logger, string slug);

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo: {Count} events, four campaigns with daily costs and a funnel added to tenant '{Slug}'")]
        public static partial void Loaded(ILogger logger, int count, string slug);
    }
}
