using Utmost.Core.Channels;
using Utmost.Core.Conversions;

namespace Utmost.Core.Sessions;

/// <summary>How a tenant's events become sessions: the inactivity timeout and the conversion goals.</summary>
public sealed record SessionRules(TimeSpan Timeout, IReadOnlyList<Goal> Goals)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Splits one visitor's events, in (time, id) order, into sessions. A new session begins when
/// <list type="bullet">
/// <item>the timeout has passed since the visitor's last event (a pause of exactly the timeout ends the session);</item>
/// <item>the event arrives with a traffic source (UTM tags, a click id, an external referrer) other than the session's:
/// events without one (internal clicks, direct, server-side calls) continue the session they fall in;</item>
/// <item>the session has lasted <see cref="MaxLength"/>, so that a script with a visitor id cannot make one endless session
/// (and the session before any event is found by looking back a bounded time: <see cref="Lookback"/>).</item>
/// </list>
/// The result depends only on the events, never on the order they arrived in: that is what lets late events,
/// concurrent writers and several instances agree.
/// </summary>
public static class Sessionizer
{
    public static readonly TimeSpan MaxLength = TimeSpan.FromHours(24);

    /// <summary>How far before an event the session it may belong to can have started.</summary>
    public static TimeSpan Lookback(SessionRules rules) => MaxLength + rules.Timeout;

    /// <summary>The sessions of <paramref name="events"/>, which are in (time, id) order.</summary>
    public static List<Session> Split(long tenantKey, string visitorId, IReadOnlyList<SessionEvent> events, SessionRules rules)
    {
        var sessions = new List<Session>();
        if (Fold(tenantKey, visitorId, null, events, rules, sessions) is { } open)
        {
            sessions.Add(open.ToSession());
        }
        return sessions;
    }

    /// <summary>
    /// Continues <paramref name="open"/> (the visitor's latest session, or null) with <paramref name="events"/>, which
    /// are in (time, id) order and all after it. Sessions that end are added to <paramref name="closed"/>; the one
    /// still open at the end is returned. Folding events in any number of steps gives what one <see cref="Split"/> gives.
    /// </summary>
    public static SessionState? Fold(long tenantKey, string visitorId, SessionState? open, IEnumerable<SessionEvent> events, SessionRules rules,
        List<Session> closed)
    {
        var timeoutMs = (long)rules.Timeout.TotalMilliseconds;
        var maxLengthMs = (long)MaxLength.TotalMilliseconds;
        foreach (var e in events)
        {
            var startsNew = open is null
                || e.CreatedAt - open.LastAt >= timeoutMs
                || e.CreatedAt - open.StartedAt >= maxLengthMs
                || HasSource(e) && !SameSource(e, open.First);
            if (startsNew)
            {
                if (open is not null)
                {
                    closed.Add(open.ToSession());
                }
                open = new SessionState(tenantKey, visitorId, e);
            }
            open!.Add(e, rules.Goals);
        }
        return open;
    }

    /// <summary>
    /// The traffic source an event states, as one comparable key; empty for direct and internal traffic, which
    /// never starts a session of its own. Built from the source and medium ingestion normalised
    /// (so <c>google.de</c> and <c>www.google.com</c> are one source) and the campaign, content and term.
    /// </summary>
    public static string TrafficKey(SessionEvent e) => HasSource(e)
        ? string.Join('\u001f', e.Source, e.Medium, Lower(e.UtmCampaign), Lower(e.UtmContent), Lower(e.UtmTerm))
        : "";

    private static bool HasSource(SessionEvent e) => e.Source is not (null or "(direct)");

    /// <summary>Whether two events state the same source: what <see cref="TrafficKey"/> compares, without building keys per event.</summary>
    private static bool SameSource(SessionEvent e, SessionEvent first) =>
        HasSource(first) && e.Source == first.Source && e.Medium == first.Medium
        && SameTag(e.UtmCampaign, first.UtmCampaign) && SameTag(e.UtmContent, first.UtmContent) && SameTag(e.UtmTerm, first.UtmTerm);

    private static bool SameTag(string? a, string? b) =>
        a is null ? b is null : b is not null && a.AsSpan().Trim().Equals(b.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);

    private static string? Lower(string? value) => value?.Trim().ToLowerInvariant();
}

/// <summary>
/// A session still being added to: what it has gathered so far. The session builder keeps these for visitors it
/// has seen lately, so their next events continue the session without reading it back from storage.
/// </summary>
public sealed class SessionState(long tenantKey, string visitorId, SessionEvent first)
{
    // Without its properties, which the session does not keep: the builder holds many of these in memory.
    public SessionEvent First { get; } = first with { PropertiesJson = "{}" };
    public long StartedAt => First.CreatedAt;

    /// <summary>The time of the last event added: later events can be folded in; any other means rebuilding.</summary>
    public long LastAt { get; private set; }

    private HashSet<string>? _orders;
    private string? _landingPage;
    private string? _exitPage;
    private string? _userId;
    private int _pageViews;
    private int _events;
    private int _conversions;
    private int _leads;
    private int _valuedConversions;
    private long _revenueMicros;
    private string? _revenueCurrency;
    private (string Type, long? Value, string? Currency, string? OrderId)? _firstConversion;

    /// <summary>
    /// Whether <paramref name="e"/> comes after every event of this session. An event of the same millisecond
    /// does not count (its place in (time, id) order is not known here): the session is rebuilt instead. Keeping
    /// the last event's id would do, but the builder holds many sessions, and a fresh string per event held by
    /// long-lived state costs the garbage collector dearly.
    /// </summary>
    public bool Precedes(SessionEvent e) => e.CreatedAt > LastAt;

    public void Add(SessionEvent e, IReadOnlyList<Goal> goals)
    {
        LastAt = e.CreatedAt;
        _events++;
        if (e.EventType == Events.EventTypes.PageView)
        {
            _pageViews++;
        }
        // Replaced only when the value changes, for the same reason.
        if (e.PageUrl is not null)
        {
            _landingPage ??= e.PageUrl;
            if (_exitPage != e.PageUrl)
            {
                _exitPage = e.PageUrl;
            }
        }
        if (e.UserId is not null && _userId != e.UserId)
        {
            _userId = e.UserId;
        }
        if (e.EventType == Events.EventTypes.LeadCreated)
        {
            _leads++;
        }
        // An order counts once in a session however often it is sent (journeys count it once per person).
        if (Goal.FirstMatch(goals, e.EventType, e.PropertiesJson) is { } goal && (e.OrderId is null || (_orders ??= new(StringComparer.Ordinal)).Add(e.OrderId)))
        {
            _conversions++;
            _firstConversion ??= (goal.Name, e.RevenueMicros, e.RevenueMicros is null ? null : e.Currency, e.OrderId);
            // The session's currency is that of its first conversion with a value; values in others cannot be added.
            if (e.RevenueMicros is { } value && (_revenueCurrency ??= e.Currency) == e.Currency)
            {
                _revenueMicros += value;
                _valuedConversions++;
            }
        }
    }

    public Session ToSession()
    {
        // The landing event's classification gives what the stored columns do not: the click id, whether the
        // referrer was the site itself, and a channel for events stored before channels existed.
        var traffic = ChannelClassifier.Classify(new ChannelInput(First.UtmSource, First.UtmMedium, First.UtmCampaign, First.ReferrerUrl, First.PageUrl));
        return new Session
        {
            TenantKey = tenantKey,
            VisitorId = visitorId,
            SessionId = First.Id,
            StartedAt = First.CreatedAt,
            EndedAt = LastAt,
            TrafficKey = Sessionizer.TrafficKey(First),
            Channel = First.Channel ?? traffic.Channel,
            LeadSource = First.LeadSource ?? traffic.LeadSource,
            Source = First.Source ?? traffic.Source,
            Medium = First.Medium ?? traffic.Medium,
            Campaign = First.UtmCampaign,
            Content = First.UtmContent,
            Term = First.UtmTerm,
            ClickId = traffic.ClickId,
            Referrer = First.ReferrerUrl,
            ReferrerDomain = traffic.Internal ? null : traffic.ReferrerHost,
            LandingPage = _landingPage,
            ExitPage = _exitPage,
            FirstEventType = First.EventType,
            DeviceType = First.DeviceType,
            Browser = First.Browser,
            Os = First.Os,
            UserId = _userId,
            PageViews = _pageViews,
            Events = _events,
            Conversions = _conversions,
            ConversionType = _firstConversion?.Type,
            ConversionValueMicros = _firstConversion?.Value,
            Currency = _firstConversion?.Currency,
            OrderId = _firstConversion?.OrderId,
            RevenueMicros = _revenueMicros,
            RevenueCurrency = _revenueCurrency,
            Orders = _valuedConversions,
            Leads = _leads,
        };
    }
}
