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

    /// <summary>
    /// The sessions of <paramref name="events"/>. <paramref name="countedOrders"/> holds the order ids already
    /// counted for this visitor; a conversion repeating one does not count again.
    /// </summary>
    public static List<Session> Split(long tenantKey, string visitorId, IReadOnlyList<SessionEvent> events, SessionRules rules,
        HashSet<string>? countedOrders = null)
    {
        countedOrders ??= new HashSet<string>(StringComparer.Ordinal);
        var sessions = new List<Session>();
        var timeoutMs = (long)rules.Timeout.TotalMilliseconds;
        var maxLengthMs = (long)MaxLength.TotalMilliseconds;
        Accumulator? current = null;
        foreach (var e in events)
        {
            var key = TrafficKey(e);
            var startsNew = current is null
                || e.CreatedAt - current.LastAt >= timeoutMs
                || e.CreatedAt - current.First.CreatedAt >= maxLengthMs
                || key.Length > 0 && key != current.TrafficKey;
            if (startsNew)
            {
                if (current is not null)
                {
                    sessions.Add(current.ToSession());
                }
                current = new Accumulator(tenantKey, visitorId, e, key);
            }
            current!.Add(e, rules.Goals, countedOrders);
        }
        if (current is not null)
        {
            sessions.Add(current.ToSession());
        }
        return sessions;
    }

    /// <summary>
    /// The traffic source an event states, as one comparable key; empty for direct and internal traffic, which
    /// never starts a session of its own. Built from the source and medium ingestion normalised
    /// (so <c>google.de</c> and <c>www.google.com</c> are one source) and the campaign, content and term.
    /// </summary>
    public static string TrafficKey(SessionEvent e)
    {
        if (e.Source is null or "(direct)")
        {
            return "";
        }
        return string.Join('\u001f', e.Source, e.Medium, Lower(e.UtmCampaign), Lower(e.UtmContent), Lower(e.UtmTerm));
    }

    private static string? Lower(string? value) => value?.Trim().ToLowerInvariant();

    private sealed class Accumulator(long tenantKey, string visitorId, SessionEvent first, string trafficKey)
    {
        public SessionEvent First { get; } = first;
        public string TrafficKey { get; } = trafficKey;
        public long LastAt { get; private set; }
        private string? _landingPage;
        private string? _exitPage;
        private string? _userId;
        private int _pageViews;
        private int _events;
        private int _conversions;
        private (string Type, SessionEvent Event)? _firstConversion;

        public void Add(SessionEvent e, IReadOnlyList<Goal> goals, HashSet<string> countedOrders)
        {
            LastAt = e.CreatedAt;
            _events++;
            if (e.EventType == Events.EventTypes.PageView)
            {
                _pageViews++;
            }
            if (e.PageUrl is not null)
            {
                _landingPage ??= e.PageUrl;
                _exitPage = e.PageUrl;
            }
            _userId = e.UserId ?? _userId;
            if (Goal.FirstMatch(goals, e.EventType, e.PropertiesJson) is { } goal && (e.OrderId is null || countedOrders.Add(e.OrderId)))
            {
                _conversions++;
                _firstConversion ??= (goal.Name, e);
            }
        }

        public Session ToSession()
        {
            // The landing event's classification gives what the stored columns do not: the click id, whether the
            // referrer was the site itself, and a channel for events stored before channels existed.
            var traffic = ChannelClassifier.Classify(new ChannelInput(First.UtmSource, First.UtmMedium, First.UtmCampaign, First.ReferrerUrl, First.PageUrl));
            var conversion = _firstConversion?.Event;
            return new Session
            {
                TenantKey = tenantKey,
                VisitorId = visitorId,
                SessionId = First.Id,
                StartedAt = First.CreatedAt,
                EndedAt = LastAt,
                TrafficKey = TrafficKey,
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
                ConversionValueMicros = conversion?.RevenueMicros,
                Currency = conversion?.RevenueMicros is null ? null : conversion.Currency,
                OrderId = conversion?.OrderId,
            };
        }
    }
}
