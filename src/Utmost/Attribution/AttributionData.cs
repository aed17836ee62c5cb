using Utmost.Core.Attribution;
using Utmost.Core.Metrics;
using Utmost.Core.Sessions;
using Utmost.Identity;
using Utmost.Sessions;
using Utmost.Tenancy;

namespace Utmost.Attribution;

/// <summary>What the attribution reports break credit down by: the channel alone, or the channel with its campaign or source/medium.</summary>
public enum AttributionGrouping
{
    Channel,
    Campaign,
    SourceMedium,
}

/// <summary>A row's key: the channel, and the campaign or source and medium when grouped by them.</summary>
public sealed record AttributionKey(string Channel, string? Campaign = null, string? Source = null, string? Medium = null)
{
    /// <summary>One string per key, as the models name channels; the unit separator cannot occur in stored text.</summary>
    public string Encode() => string.Join('\u001f', Channel, Campaign ?? "", Source ?? "", Medium ?? "");

    /// <summary>The key back from <see cref="Encode"/>; a bare channel (the Direct of a path with no touch) gets "(not set)" for the grouped dimensions.</summary>
    public static AttributionKey Decode(string encoded, AttributionGrouping grouping)
    {
        var parts = encoded.Split('\u001f');
        return parts.Length == 4
            ? new AttributionKey(parts[0], Empty(parts[1]), Empty(parts[2]), Empty(parts[3]))
            : Grouped(encoded, null, null, null, grouping);
    }

    public static AttributionKey Of(Touchpoint touch, AttributionGrouping grouping) =>
        Grouped(touch.Channel, touch.Campaign, touch.Source, touch.Medium, grouping);

    private static AttributionKey Grouped(string channel, string? campaign, string? source, string? medium, AttributionGrouping grouping) => grouping switch
    {
        AttributionGrouping.Campaign => new AttributionKey(channel, Campaign: campaign ?? NotSet),
        AttributionGrouping.SourceMedium => new AttributionKey(channel, Source: source ?? NotSet, Medium: medium ?? NotSet),
        _ => new AttributionKey(channel),
    };

    /// <summary>Everything the touch carried: what persisted credits are stored by.</summary>
    public static AttributionKey Full(Touchpoint touch) => new(touch.Channel, touch.Campaign, touch.Source, touch.Medium);

    /// <summary>GA4's label for a dimension a touch did not carry.</summary>
    public const string NotSet = "(not set)";

    private static string? Empty(string text) => text.Length == 0 ? null : text;
}

/// <summary>
/// A tenant's journeys that matter for a date range: those whose conversion falls in it, and the unconverted
/// journeys active in it (the data-driven models learn from both). Values count in one currency, the one most
/// conversions with a value used; conversions in other currencies count with no value rather than be mixed in.
/// <see cref="Returning"/> holds the conversions of people who had converted before (at any time);
/// <see cref="SessionCounts"/> the sessions that began in the range, per quarter hour and channel.
/// </summary>
public sealed record AttributionData(IReadOnlyList<(string Person, Journey Journey)> Journeys, string? Currency, int ConversionsInOtherCurrencies,
    IReadOnlySet<string> Returning, IReadOnlyList<SessionCount> SessionCounts)
{
    /// <summary>Every journey as a path (in the order of <see cref="Journeys"/>), its touches crediting their key.</summary>
    public IEnumerable<AttributionPath> Paths(Func<Touchpoint, AttributionKey> keyOf, TimeSpan window) =>
        Journeys.Select(j => AttributionPath.Of(ToAttributionJourney(j.Journey, keyOf), window));

    public IEnumerable<AttributionPath> Paths(AttributionGrouping grouping, TimeSpan window) => Paths(t => AttributionKey.Of(t, grouping), window);

    private AttributionJourney ToAttributionJourney(Journey journey, Func<Touchpoint, AttributionKey> keyOf) => new(
        journey.Conversion?.EventId ?? "",
        journey.Touchpoints.Select(t => new AttributionTouch(t.Channel, t.At) { CreditTo = keyOf(t).Encode() }).ToList(),
        journey.Conversion is { } c ? new AttributionConversion(c.At, ValueOf(c)) : null);

    /// <summary>The conversion's value in <see cref="Currency"/>; nothing for one in another currency.</summary>
    public double ValueOf(Conversion conversion) =>
        conversion.ValueMicros is { } micros && conversion.Currency == Currency ? micros / 1_000_000.0 : 0;
}

/// <summary>How many sessions began in a quarter hour (starting at <see cref="Bucket"/>, epoch milliseconds) in a channel.</summary>
public sealed record SessionCount(long Bucket, string Channel, long Sessions);

/// <summary>Loads <see cref="AttributionData"/> from the stored sessions, goal events and identity links.</summary>
public sealed class AttributionDataSource(ISessionStore sessions, IIdentityStore identities, SessionBuilder builder)
{
    public async Task<AttributionData> LoadAsync(Tenant tenant, long fromMs, long toMs, TimeSpan window, CancellationToken cancellationToken)
    {
        await builder.CatchUpAsync(cancellationToken);
        // Sessions and conversions from a window before the range: the touches of its first conversions, and the
        // earlier conversions that close the journeys before them.
        var loadFrom = fromMs - (long)window.TotalMilliseconds;
        var stored = await sessions.InRangeAsync(tenant.Key, loadFrom, toMs, cancellationToken);
        var goals = tenant.Goals;
        // Conversions of all time: whether a customer is new or returning.
        var candidates = await sessions.EventsOfTypesAsync(tenant.Key, 0, toMs, goals.Select(g => g.EventType).Distinct().ToArray(),
            cancellationToken);
        var conversions = Core.Sessions.Journeys.ConversionsOf(candidates, goals).ToList();
        var links = (await identities.AllAsync(tenant.Id, cancellationToken))
            .GroupBy(l => l.VisitorId)
            .ToDictionary(g => g.Key, g => PersonOf(g.Last()), StringComparer.Ordinal);
        var all = Core.Sessions.Journeys.OfPeople(stored, conversions, links, builder.Timeout);
        var returning = all.Where(j => j.Journey.Conversion is not null)
            .GroupBy(j => j.Person)
            .SelectMany(person => person.Skip(1).Select(j => j.Journey.Conversion!.EventId))
            .ToHashSet(StringComparer.Ordinal);
        var journeys = all.Where(j => j.Journey.Conversion is { } c ? c.At >= fromMs : j.Journey.EndedAt >= fromMs).ToList();
        var converted = journeys.Select(j => j.Journey.Conversion).OfType<Conversion>().ToList();
        var currency = converted.Where(c => c.ValueMicros is not null && c.Currency is not null)
            .GroupBy(c => c.Currency!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).FirstOrDefault();
        var sessionCounts = stored.Where(s => s.StartedAt >= fromMs)
            .CountBy(s => (Bucket: Rollups.BucketOf(s.StartedAt, Rollups.QuarterMs), s.Channel))
            .Select(c => new SessionCount(c.Key.Bucket, c.Key.Channel, c.Value))
            .ToList();
        return new AttributionData(journeys, currency, converted.Count(c => c.ValueMicros is not null && c.Currency != currency), returning,
            sessionCounts);
    }

    private static string PersonOf(VisitorLink link) =>
        link.UserId is { } user ? Core.Sessions.Journeys.PersonOfUser(user)
        : link.Email is { } email ? "email:" + email
        : "contact:" + link.ContactId;
}
