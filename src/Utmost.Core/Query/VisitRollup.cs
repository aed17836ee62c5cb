namespace Utmost.Core.Query;

/// <summary>What the rollup reads of a stored session.</summary>
public sealed record RollupSession(
    string VisitorId, long StartedAt, long EndedAt, string Channel, string? Source, string? Medium, string? Campaign, string? RevenueCurrency,
    long PageViews, long Events, long Conversions, long Leads, long RevenueMicros, long Orders);

/// <summary>
/// One row of the visit rollup: a tenant's visits that began on one local day, from one traffic source, added up,
/// with their visitors as a <see cref="VisitorSketch"/>; or, with a <paramref name="RevenueCurrency"/>, their revenue
/// in that currency and the orders behind it, and nothing else.
/// <paramref name="Day"/> counts days from 1970-01-01 in the tenant's zone, as the query's day buckets do.
/// </summary>
public sealed record VisitRollupRow(
    long TenantKey, long Day, string Channel, string? Source, string? Medium, string? Campaign, string? RevenueCurrency,
    long Visits, long PageViews, long Events, long Bounces, long DurationMs, long Converted, long Conversions, long Leads,
    long RevenueMicros, long Orders, byte[] VisitorHashes, byte[] VisitorRegisters)
{
    /// <summary>The row's grouping as one text (its dimensions in order, a NUL for a missing one): ClickHouse's key for it.</summary>
    public string Combination => string.Join("\u001f", new[] { Channel, Source, Medium, Campaign, RevenueCurrency }.Select(v => v ?? "\0"));
}

/// <summary>
/// Adds sessions up into rollup rows, one session at a time (a rebuild streams a month of them). Each day and
/// traffic source gets a row of visits (revenue currency null) and a row per currency of its revenue and orders
/// alone: splitting the visits by currency too would keep the visitors who paid in a second sketch.
/// </summary>
/// <param name="dayOf">The local day of a session's start.</param>
public sealed class VisitRollup(long tenantKey, Func<long, long> dayOf)
{
    private readonly Dictionary<(long Day, string Channel, string? Source, string? Medium, string? Campaign), Totals> _groups = [];

    public void Add(RollupSession s)
    {
        var key = (dayOf(s.StartedAt), s.Channel, s.Source, s.Medium, s.Campaign);
        if (!_groups.TryGetValue(key, out var totals))
        {
            _groups[key] = totals = new Totals();
        }
        totals.Add(s);
    }

    public IReadOnlyList<VisitRollupRow> Rows() => _groups
        .SelectMany(g =>
        {
            var (day, channel, source, medium, campaign) = g.Key;
            var t = g.Value;
            return t.Revenue.Select(r => new VisitRollupRow(tenantKey, day, channel, source, medium, campaign, r.Key, 0, 0, 0, 0, 0, 0, 0, 0,
                    r.Value.Micros, r.Value.Orders, [], []))
                .Prepend(new VisitRollupRow(tenantKey, day, channel, source, medium, campaign, null, t.Visits, t.PageViews, t.Events, t.Bounces,
                    t.DurationMs, t.Converted, t.Conversions, t.Leads, 0, 0, t.Visitors.HashBytes(), t.Visitors.RegisterBytes()));
        })
        .OrderBy(r => r.Day).ThenBy(r => r.Combination, StringComparer.Ordinal).ToList();

    private sealed class Totals
    {
        public long Visits, PageViews, Events, Bounces, DurationMs, Converted, Conversions, Leads;
        public VisitorSketch Visitors { get; } = new();
        public Dictionary<string, (long Micros, long Orders)> Revenue { get; } = new(StringComparer.Ordinal);

        // The rules of the query over sessions: a bounce is a visit of one event, a converted visit has a conversion.
        public void Add(RollupSession s)
        {
            Visits++;
            PageViews += s.PageViews;
            Events += s.Events;
            Bounces += s.Events <= 1 ? 1 : 0;
            DurationMs += s.EndedAt - s.StartedAt;
            Converted += s.Conversions > 0 ? 1 : 0;
            Conversions += s.Conversions;
            Leads += s.Leads;
            Visitors.Add(s.VisitorId);
            if (s.RevenueCurrency is { } currency)
            {
                var (micros, orders) = Revenue.GetValueOrDefault(currency);
                Revenue[currency] = (micros + s.RevenueMicros, orders + s.Orders);
            }
        }
    }
}
