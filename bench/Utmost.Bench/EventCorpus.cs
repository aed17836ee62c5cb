using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Utmost.Bench;

/// <summary>One event as a browser tracker would send it (no event_id, so a reused body never collapses into duplicates).</summary>
internal sealed record SampleEvent(
    string EventType, string PageUrl, string? ReferrerUrl, string? UtmSource, string? UtmMedium, string? UtmCampaign,
    string? UtmContent, string? UtmTerm, string SessionId, string VisitorId, string PropertiesJson)
{
    /// <summary>The event as the server would store it for the first tenant (key 1), written straight to a store.</summary>
    public Utmost.Core.Events.MarketingEvent ToStoredEvent(string id, long atMs) => new()
    {
        Id = id,
        TenantId = "bench",
        TenantKey = 1,
        EventType = EventType,
        PageUrl = PageUrl,
        ReferrerUrl = ReferrerUrl,
        UtmSource = UtmSource,
        UtmMedium = UtmMedium,
        UtmCampaign = UtmCampaign,
        UtmTerm = UtmTerm,
        UtmContent = UtmContent,
        LeadSource = Utmost.Core.Channels.ChannelClassifier.Classify(new(UtmSource, UtmMedium, UtmCampaign, ReferrerUrl, PageUrl)).LeadSource,
        UserAgent = EventCorpus.UserAgent,
        IpAddress = "127.0.0.0",
        SessionId = SessionId,
        PropertiesJson = PropertiesJson,
        CreatedAt = atMs,
        ReceivedAt = atMs,
    };
}

/// <summary>
/// Realistic, varied marketing events from a fixed seed, and the request bodies built from them ahead of time,
/// so the load generator spends its CPU on HTTP rather than on JSON.
/// </summary>
internal sealed class EventCorpus
{
    public const string UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

    // (source, medium, referrer) of the traffic mix, most frequent first; null source = direct or organic.
    private static readonly (string? Source, string? Medium, string? Referrer, int Weight)[] Channels =
    [
        ("google", "cpc", "https://www.google.com/", 30),
        (null, null, "https://www.google.com/", 14),
        (null, null, null, 12),
        ("facebook", "paid_social", "https://l.facebook.com/", 10),
        ("newsletter", "email", null, 8),
        ("bing", "cpc", "https://www.bing.com/", 6),
        ("linkedin", "social", "https://www.linkedin.com/", 5),
        ("instagram", "paid_social", "https://l.instagram.com/", 5),
        ("partner_site", "affiliate", "https://deals.partner-site.example/", 4),
        ("tiktok", "paid_social", "https://www.tiktok.com/", 3),
        ("gdn", "display", "https://googleads.g.doubleclick.net/", 3),
    ];

    private static readonly string[] Campaigns =
    [
        "summer_2025", "black_friday", "spring_launch", "retargeting_q3", "brand_awareness", "free_quote_promo",
        "holiday_sale", "webinar_signup", "local_services", "competitor_terms",
    ];

    private static readonly string[] Terms = ["plumber near me", "emergency repair", "roof quote", "hvac install", "best price"];

    private static readonly (string Type, int Weight)[] EventTypes =
    [
        ("page_view", 70), ("button_click", 12), ("form_submit", 5), ("lead_created", 4), ("quote_requested", 3),
        ("chat_started", 2), ("phone_call", 2), ("job_created", 1), ("email_sent", 1),
    ];

    private static readonly string[] Paths =
    [
        "/", "/pricing", "/contact", "/quote", "/services/plumbing", "/services/roofing", "/services/hvac", "/about",
        "/blog/how-to-choose-a-contractor", "/blog/winter-checklist", "/blog/cost-guide-2025", "/landing/summer-offer",
    ];

    private static readonly string[] Browsers = ["Chrome", "Safari", "Firefox", "Edge", "Samsung Internet"];
    private static readonly string[] Devices = ["desktop", "mobile", "tablet"];
    private static readonly string[] Screens = ["1920x1080", "1366x768", "390x844", "414x896", "1536x864", "820x1180"];

    private EventCorpus(SampleEvent[] events, byte[][] batchBodies, byte[][] singleBodies)
    {
        Events = events;
        BatchBodies = batchBodies;
        SingleBodies = singleBodies;
    }

    public IReadOnlyList<SampleEvent> Events { get; }

    /// <summary>JSON arrays of <c>batchSize</c> events, for POST /marketing/events.</summary>
    public byte[][] BatchBodies { get; }

    /// <summary>JSON objects of one event, for POST /marketing/event.</summary>
    public byte[][] SingleBodies { get; }

    public int BatchSize => Events.Count / BatchBodies.Length;

    public static EventCorpus Create(int seed, int batchSize, int batchBodies = 256)
    {
        var random = new Random(seed);
        var events = new SampleEvent[batchSize * batchBodies];
        // Traffic as a tracker sends it: visits of a few events each, from one visitor and one source, a couple
        // of hundred of them under way at any moment, their events interleaved.
        var visits = new List<Visit>();
        for (var i = 0; i < events.Length; i++)
        {
            while (visits.Count < ConcurrentVisits)
            {
                visits.Add(NewVisit(random));
            }
            var index = random.Next(visits.Count);
            events[i] = visits[index].Next(random);
            if (visits[index].Done)
            {
                visits.RemoveAt(index);
            }
        }
        var batches = new byte[batchBodies][];
        for (var b = 0; b < batchBodies; b++)
        {
            batches[b] = Serialize(events.AsSpan(b * batchSize, batchSize), asArray: true);
        }
        // Single-event bodies draw on the same corpus: a few thousand distinct requests, cycled.
        var singles = new byte[Math.Min(events.Length, 4096)][];
        for (var i = 0; i < singles.Length; i++)
        {
            singles[i] = Serialize(events.AsSpan(i, 1), asArray: false);
        }
        return new EventCorpus(events, batches, singles);
    }

    private const int ConcurrentVisits = 200;

    private static Visit NewVisit(Random random)
    {
        var channel = Pick(random, Channels, c => c.Weight);
        var tagged = channel.Source is not null;
        var paid = channel.Medium is "cpc" or "paid_social" or "display";
        // Most visits are short: 1 event in three, a long tail up to 15.
        var length = Math.Min(15, 1 + (int)(-Math.Log(1 - random.NextDouble()) * 3));
        return new Visit(
            VisitorId: $"v-{random.Next(1, 50_000):x5}",
            SessionId: $"s-{random.Next(1, 50_000):x5}-{random.Next():x8}",
            Channel: channel,
            Campaign: tagged ? Campaigns[random.Next(Campaigns.Length)] : null,
            Content: paid ? $"ad_{random.Next(1, 25):d2}" : null,
            Term: channel.Medium == "cpc" ? Terms[random.Next(Terms.Length)] : null,
            ClickId: !tagged && channel.Referrer is not null && random.Next(10) == 0 ? $"Cj0KCQjw{random.Next():x8}" : null,
            Length: length);
    }

    /// <summary>One visit under way: its first event lands with the tags and referrer, the rest are clicks within the site.</summary>
    private sealed record Visit(string VisitorId, string SessionId, (string? Source, string? Medium, string? Referrer, int Weight) Channel,
        string? Campaign, string? Content, string? Term, string? ClickId, int Length)
    {
        private int _sent;
        private string? _previousPage;

        public bool Done => _sent >= Length;

        public SampleEvent Next(Random random)
        {
            var path = Paths[random.Next(Paths.Length)];
            var query = new StringBuilder();
            if (_sent == 0 && Channel.Source is not null)
            {
                query.Append(CultureInfo.InvariantCulture, $"?utm_source={Channel.Source}&utm_medium={Channel.Medium}&utm_campaign={Campaign}");
            }
            else if (_sent == 0 && ClickId is not null)
            {
                query.Append(CultureInfo.InvariantCulture, $"?gclid={ClickId}");
            }
            var pageUrl = $"https://www.acme-services.example{path}{query}";
            var referrer = _sent == 0 ? Channel.Referrer : _previousPage;
            _previousPage = pageUrl;
            _sent++;
            // The tracker sends the visit's tags with every event of it.
            return new SampleEvent(
                EventType: _sent == 1 ? "page_view" : Pick(random, EventTypes, t => t.Weight).Type,
                PageUrl: pageUrl,
                ReferrerUrl: referrer,
                UtmSource: Channel.Source,
                UtmMedium: Channel.Medium,
                UtmCampaign: Campaign,
                UtmContent: Content,
                UtmTerm: Term,
                SessionId: SessionId,
                VisitorId: VisitorId,
                PropertiesJson: Properties(random));
        }
    }

    private static string Properties(Random random)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("browser", Browsers[random.Next(Browsers.Length)]);
            json.WriteString("device", Devices[random.Next(Devices.Length)]);
            json.WriteString("screen", Screens[random.Next(Screens.Length)]);
            json.WriteString("language", random.Next(4) == 0 ? "es-US" : "en-US");
            if (random.Next(3) == 0)
            {
                json.WriteNumber("scroll_depth", random.Next(10, 101));
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static byte[] Serialize(ReadOnlySpan<SampleEvent> events, bool asArray)
    {
        var buffer = new ArrayBufferWriter<byte>(events.Length * 640);
        using (var json = new Utf8JsonWriter(buffer))
        {
            if (asArray)
            {
                json.WriteStartArray();
            }
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteString("event_type", e.EventType);
                json.WriteString("page_url", e.PageUrl);
                WriteOptional(json, "referrer_url", e.ReferrerUrl);
                WriteOptional(json, "utm_source", e.UtmSource);
                WriteOptional(json, "utm_medium", e.UtmMedium);
                WriteOptional(json, "utm_campaign", e.UtmCampaign);
                WriteOptional(json, "utm_content", e.UtmContent);
                WriteOptional(json, "utm_term", e.UtmTerm);
                json.WriteString("session_id", e.SessionId);
                json.WriteString("visitor_id", e.VisitorId);
                json.WritePropertyName("properties");
                json.WriteRawValue(e.PropertiesJson, skipInputValidation: true);
                json.WriteEndObject();
            }
            if (asArray)
            {
                json.WriteEndArray();
            }
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static T Pick<T>(Random random, T[] items, Func<T, int> weight)
    {
        var roll = random.Next(items.Sum(weight));
        foreach (var item in items)
        {
            roll -= weight(item);
            if (roll < 0)
            {
                return item;
            }
        }
        return items[^1];
    }
}
