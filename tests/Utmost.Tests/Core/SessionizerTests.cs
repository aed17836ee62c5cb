using Utmost.Core.Conversions;
using Utmost.Core.Events;
using Utmost.Core.Sessions;

namespace Utmost.Tests.Core;

public sealed class SessionizerTests
{
    private static readonly long T0 = new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly SessionRules Rules = new(SessionRules.DefaultTimeout, [Goal.ForEventType("purchase")]);
    private static int _ids;

    /// <summary>An event as ingestion would have enriched it: a source only when the event states one.</summary>
    private static SessionEvent At(double minutes, string type = EventTypes.PageView, string? page = "https://shop.example/",
        string? source = null, string? medium = null, string? campaign = null, string? referrer = null, string? channel = null,
        string? orderId = null, long? revenueMicros = null, string properties = "{}") => new()
    {
        Id = $"e{Interlocked.Increment(ref _ids):D6}",
        CreatedAt = T0 + (long)(minutes * 60_000),
        EventType = type,
        PageUrl = page,
        ReferrerUrl = referrer,
        UtmSource = source,
        UtmMedium = medium,
        UtmCampaign = campaign,
        Source = source ?? "(direct)",
        Medium = medium ?? "(none)",
        Channel = channel ?? "Direct",
        LeadSource = "direct",
        OrderId = orderId,
        RevenueMicros = revenueMicros,
        Currency = revenueMicros is null ? null : "EUR",
        PropertiesJson = properties,
    };

    private static List<Session> Split(params SessionEvent[] events) => Sessionizer.Split(1, "v1", events, Rules);

    [Fact]
    public void Thirty_minutes_without_events_end_a_session_and_a_shorter_pause_does_not()
    {
        var sessions = Split(At(0), At(29.99), At(59.98), At(89.98), At(95));

        // 59.98 → 89.98 is a pause of exactly 30 minutes: the session has ended.
        Assert.Equal([3, 2], sessions.Select(s => s.Events));
        Assert.Equal(T0, sessions[0].StartedAt);
        Assert.Equal(T0 + (long)(59.98 * 60_000), sessions[0].EndedAt);
        Assert.Equal((long)(59.98 * 60_000), sessions[0].DurationMs);
    }

    [Fact]
    public void A_shorter_timeout_is_honoured()
    {
        var sessions = Sessionizer.Split(1, "v1", [At(0), At(9), At(20)], Rules with { Timeout = TimeSpan.FromMinutes(10) });

        Assert.Equal([2, 1], sessions.Select(s => s.Events));
    }

    [Fact]
    public void A_new_traffic_source_starts_a_session_and_internal_or_direct_events_continue_it()
    {
        var sessions = Split(
            At(0),                                                       // direct
            At(1, source: "newsletter", medium: "email", campaign: "june", channel: "Email"),
            At(2),                                                       // an internal click: no source of its own
            At(3, source: "newsletter", medium: "email", campaign: "June", channel: "Email"), // the tracker repeating the tags
            At(4, source: "google", medium: "cpc", channel: "Paid Search"),
            At(5, source: "google", medium: "cpc", campaign: "brand", channel: "Paid Search"));

        Assert.Equal(["Direct", "Email", "Paid Search", "Paid Search"], sessions.Select(s => s.Channel));
        Assert.Equal([1, 3, 1, 1], sessions.Select(s => s.Events));
        Assert.Equal("june", sessions[1].Campaign);
        Assert.Equal("", sessions[0].TrafficKey);
    }

    [Fact]
    public void A_session_ends_after_a_day_even_without_pauses()
    {
        var events = Enumerable.Range(0, 100).Select(i => At(i * 20)).ToArray(); // every 20 minutes for 33 hours

        var sessions = Split(events);

        // 24 h / 20 min = 72 events in the first session.
        Assert.Equal([72, 28], sessions.Select(s => s.Events));
    }

    [Fact]
    public void The_landing_event_gives_the_source_referrer_and_landing_page_and_the_last_page_is_the_exit()
    {
        var sessions = Split(
            At(0, page: "https://shop.example/shoes?gclid=abc", source: "google", medium: "cpc", channel: "Paid Search",
                referrer: "https://www.google.de/"),
            At(1, type: "button_click", page: null),
            At(2, page: "https://shop.example/cart", referrer: "https://shop.example/shoes"),
            At(3, type: "purchase", page: "https://shop.example/thanks", orderId: "o-1", revenueMicros: 59_970_000),
            At(4, type: "purchase", page: "https://shop.example/thanks", orderId: "o-1", revenueMicros: 59_970_000),
            At(5, type: "purchase", page: null, orderId: "o-2", revenueMicros: 10_000_000));

        var s = Assert.Single(sessions);
        Assert.Equal("https://shop.example/shoes?gclid=abc", s.LandingPage);
        Assert.Equal("https://shop.example/thanks", s.ExitPage);
        Assert.Equal("www.google.de", s.ReferrerDomain);
        Assert.Equal("gclid", s.ClickId);
        Assert.Equal(("google", "cpc"), (s.Source, s.Medium));
        Assert.Equal(2, s.PageViews); // the purchases and the click are events, not page views
        Assert.Equal(6, s.Events);
        // o-1 sent twice counts once.
        Assert.Equal(2, s.Conversions);
        Assert.True(s.Converted);
        Assert.Equal(("purchase", 59_970_000L, "EUR", "o-1"), (s.ConversionType, s.ConversionValueMicros!.Value, s.Currency, s.OrderId));
    }

    [Fact]
    public void Revenue_adds_each_order_once_in_the_first_valued_currency_and_leads_are_counted()
    {
        var sessions = Split(
            At(0),
            At(1, type: EventTypes.LeadCreated),
            At(2, type: "purchase", orderId: "o-1", revenueMicros: 20_000_000),
            At(3, type: "purchase", orderId: "o-1", revenueMicros: 20_000_000),
            At(4, type: "purchase", orderId: "o-2", revenueMicros: 5_500_000),
            At(5, type: "purchase", orderId: "o-3", revenueMicros: 7_000_000) with { Currency = "USD" },
            At(6, type: "purchase", orderId: "o-4"));

        var s = Assert.Single(sessions);
        Assert.Equal((25_500_000L, "EUR", 2), (s.RevenueMicros, s.RevenueCurrency, s.Orders));
        Assert.Equal(4, s.Conversions);
        Assert.Equal(1, s.Leads);
    }

    [Fact]
    public void An_internal_referrer_gives_no_referrer_domain()
    {
        var s = Assert.Single(Split(At(0, page: "https://shop.example/b", referrer: "https://www.shop.example/a")));

        Assert.Null(s.ReferrerDomain);
        Assert.False(s.Converted);
        Assert.Null(s.ConversionType);
    }

    [Fact]
    public void Goals_with_property_filters_match_only_their_events()
    {
        var rules = Rules with { Goals = [new Goal("quote form", "form_submit", new Dictionary<string, string> { ["form"] = "quote", ["step"] = "2" })] };

        var sessions = Sessionizer.Split(1, "v1",
        [
            At(0, type: "form_submit", properties: """{"form":"newsletter","step":2}"""),
            At(1, type: "form_submit", properties: """{"form":"quote"}"""),
            At(40, type: "form_submit", properties: """{"form":"quote","step":2}"""),
        ], rules);

        Assert.Equal([0, 1], sessions.Select(s => s.Conversions));
        Assert.Equal("quote form", sessions[1].ConversionType);
    }

    [Fact]
    public void An_order_counts_once_within_a_session_and_again_in_a_later_session()
    {
        var sessions = Split(At(0, type: "purchase", orderId: "o-9"), At(1, type: "purchase", orderId: "o-9"), At(60, type: "purchase", orderId: "o-9"));

        // Sessions count their own conversions; journeys count an order once per person (JourneysTests).
        Assert.Equal([1, 1], sessions.Select(s => s.Conversions));
    }

    [Fact]
    public void Folding_events_in_steps_gives_what_splitting_them_at_once_gives()
    {
        var events = Enumerable.Range(0, 40)
            .Select(i => At(i * 7 + i / 10 * 40, type: i % 9 == 4 ? "purchase" : EventTypes.PageView, source: i % 6 == 0 ? (i % 12 == 0 ? "google" : "bing") : null,
                medium: i % 6 == 0 ? "cpc" : null, orderId: i % 9 == 4 ? "o-1" : null))
            .ToArray();
        var whole = Split(events);

        foreach (var step in new[] { 1, 3, 7 })
        {
            var closed = new List<Session>();
            SessionState? open = null;
            foreach (var chunk in events.Chunk(step))
            {
                Assert.True(open is null || open.Precedes(chunk[0]));
                open = Sessionizer.Fold(1, "v1", open, chunk, Rules, closed);
            }
            closed.Add(open!.ToSession());
            Assert.Equal(whole, closed);
        }
        Assert.True(whole.Count > 3);
    }

    [Fact]
    public void The_same_events_in_any_order_of_arrival_give_the_same_sessions()
    {
        var events = new[]
        {
            At(0), At(10, source: "facebook", medium: "social", channel: "Organic Social"), At(12), At(50), At(51, type: "purchase"),
        };
        var inOrder = Split(events);

        // Whatever order events arrive in, the builder reads them in (time, id) order: sessions depend on the set only.
        var reversed = events.Reverse().OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal).ToArray();
        Assert.Equal(inOrder, Split(reversed));
        Assert.Equal([1, 2, 2], inOrder.Select(s => s.Events));
        Assert.Equal(events[0].Id, inOrder[0].SessionId);
    }
}
