using Utmost.Core.Conversions;

namespace Utmost.Core.Sessions;

/// <summary>An event that met a conversion goal. Times are UTC epoch milliseconds.</summary>
public sealed record Conversion(string EventId, long At, string Goal, string EventType, string? OrderId, long? ValueMicros, string? Currency,
    string? VisitorId)
{
    /// <summary>The user id the event carried: who converted when no visitor sent it (a server-side order).</summary>
    public string? UserId { get; init; }
}

/// <summary>One marketing touch on a person's way: a session, with the source it came from.</summary>
public sealed record Touchpoint(string SessionId, string VisitorId, long At, string Channel, string? Source, string? Medium, string? Campaign,
    string? LandingPage, string Type, string? DeviceType);

/// <summary>The touchpoints that led to one conversion, or (with none) the touchpoints since the last one.</summary>
public sealed record Journey(IReadOnlyList<Touchpoint> Touchpoints, Conversion? Conversion, long StartedAt, long EndedAt)
{
    public string? FirstTouchChannel => Touchpoints.Count == 0 ? null : Touchpoints[0].Channel;
    public string? LastTouchChannel => Touchpoints.Count == 0 ? null : Touchpoints[^1].Channel;
    public long DurationMs => EndedAt - StartedAt;
}

/// <summary>
/// Cuts a person's sessions (from every visitor linked to them) and conversions into journeys, AquaScene's
/// user_journeys: each conversion closes a journey holding the sessions that began after the previous conversion
/// and no later than it. A conversion with no such session (a second purchase in the same visit, a server-side
/// order right after it) gets the session it happened in, if it came within that session or its timeout after.
/// Sessions after the last conversion form an open journey. An order id counts once: later conversions repeating
/// it are left out.
/// </summary>
public static class Journeys
{
    public static List<Journey> Build(IEnumerable<Session> sessions, IEnumerable<Conversion> conversions, TimeSpan timeout)
    {
        var ordered = sessions.OrderBy(s => s.StartedAt).ThenBy(s => s.SessionId, StringComparer.Ordinal).ToList();
        var orders = new HashSet<string>(StringComparer.Ordinal);
        var counted = conversions
            .OrderBy(c => c.At).ThenBy(c => c.EventId, StringComparer.Ordinal)
            .Where(c => c.OrderId is null || orders.Add(c.OrderId))
            .ToList();
        var journeys = new List<Journey>();
        var next = 0;
        foreach (var conversion in counted)
        {
            var path = new List<Session>();
            while (next < ordered.Count && ordered[next].StartedAt <= conversion.At)
            {
                path.Add(ordered[next++]);
            }
            if (path.Count == 0 && next > 0 && conversion.At <= ordered[next - 1].EndedAt + (long)timeout.TotalMilliseconds)
            {
                path.Add(ordered[next - 1]);
            }
            var start = path.Count == 0 ? conversion.At : path[0].StartedAt;
            journeys.Add(new Journey(path.Select(ToTouchpoint).ToList(), conversion, start, conversion.At));
        }
        if (next < ordered.Count)
        {
            var open = ordered[next..];
            journeys.Add(new Journey(open.Select(ToTouchpoint).ToList(), null, open[0].StartedAt, open.Max(s => s.EndedAt)));
        }
        return journeys;
    }

    /// <summary>
    /// Every person's journeys across a tenant. A visitor belongs to the person <paramref name="linkedPeople"/> names
    /// for it (identify), else to the user id their sessions carried (the latest one), else is a person alone; a
    /// conversion belongs to its visitor's person, else to its user id's.
    /// </summary>
    public static List<(string Person, Journey Journey)> OfPeople(IReadOnlyList<Session> sessions, IReadOnlyList<Conversion> conversions,
        IReadOnlyDictionary<string, string> linkedPeople, TimeSpan timeout)
    {
        var userOfVisitor = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var session in sessions.Where(s => s.UserId is not null).OrderBy(s => s.StartedAt))
        {
            userOfVisitor[session.VisitorId] = session.UserId!;
        }
        string PersonOf(string? visitorId, string? userId, string fallback) =>
            visitorId is not null && linkedPeople.TryGetValue(visitorId, out var linked) ? linked
            : visitorId is not null && userOfVisitor.TryGetValue(visitorId, out var user) ? PersonOfUser(user)
            : visitorId is null && userId is not null ? PersonOfUser(userId)
            : visitorId is not null ? "visitor:" + visitorId
            : fallback;
        var sessionsOf = sessions.ToLookup(s => PersonOf(s.VisitorId, null, ""), StringComparer.Ordinal);
        var conversionsOf = conversions.ToLookup(c => PersonOf(c.VisitorId, c.UserId, "event:" + c.EventId), StringComparer.Ordinal);
        return sessionsOf.Select(g => g.Key).Union(conversionsOf.Select(g => g.Key), StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .SelectMany(person => Build(sessionsOf[person], conversionsOf[person], timeout).Select(journey => (person, journey)))
            .ToList();
    }

    /// <summary>The events that meet a goal (the first goal each meets names it), as conversions.</summary>
    public static IEnumerable<Conversion> ConversionsOf(IEnumerable<(SessionEvent Event, string? VisitorId)> candidates, IReadOnlyList<Goal> goals) =>
        candidates
            .Select(c => (c.Event, c.VisitorId, Goal: Goal.FirstMatch(goals, c.Event.EventType, c.Event.PropertiesJson)))
            .Where(c => c.Goal is not null)
            .Select(c => new Conversion(c.Event.Id, c.Event.CreatedAt, c.Goal!.Name, c.Event.EventType, c.Event.OrderId, c.Event.RevenueMicros,
                c.Event.RevenueMicros is null ? null : c.Event.Currency, c.VisitorId) { UserId = c.Event.UserId });

    /// <summary>The person key of a user id, as <see cref="OfPeople"/> names people.</summary>
    public static string PersonOfUser(string userId) => "user:" + userId;

    private static Touchpoint ToTouchpoint(Session s) =>
        new(s.SessionId, s.VisitorId, s.StartedAt, s.Channel, s.Source, s.Medium, s.Campaign, s.LandingPage, s.FirstEventType, s.DeviceType);
}
