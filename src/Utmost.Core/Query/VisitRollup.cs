namespace Utmost.Core.Query;

/// <summary>What the rollup reads of a stored session.</summary>
public sealed record RollupSession(
    string VisitorId, long StartedAt, long EndedAt, string Channel, string? Source, string? Medium, string? Campaign, string? RevenueCurrency,
    long PageViews, long Events, long Conversions, long Leads, long RevenueMicros, long Orders);

/// <summary>
/// One row of the visit rollup: a tenant's visits that began on one local day, from one traffic source, with
/// revenue in one currency (or none), added up, with their visitors as a <see cref="VisitorSketch"/>.
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

/// <summary>Adds sessions up into rollup rows, one session at a time (a rebuild streams a month of them).</summary>
/// <param name="dayOf">The local day of a session's start.</param>
public sealed class VisitRollup(long tenantKey, Func<long, long> dayOf)
{
    private readonly Dictionary<(long, string, string?, string?, string?, string?), Totals> _groups = [];

    public void Add(RollupSession s)
    {
        var key = (dayOf(s.StartedAt), s.Channel, s.Source, s.Medium, s.Campaign, s.RevenueCurrency);
        if (!_groups.TryGetValue(key, out var totals))
        {
            _groups[key] = totals = new Totals();
        }
        totals.Add(s);
    }

    public IReadOnlyList<VisitRollupRow> Rows() => _groups
        .Select(g => new VisitRollupRow(tenantKey, g.Key.Item1, g.Key.Item2, g.Key.Item3, g.Key.Item4, g.Key.Item5, g.Key.Item6,
            g.Value.Visits, g.Value.PageViews, g.Value.Events, g.Value.Bounces, g.Value.DurationMs, g.Value.Converted, g.Value.Conversions,
            g.Value.Leads, g.Value.RevenueMicros, g.Value.Orders, g.Value.Visitors.HashBytes(), g.Value.Visitors.RegisterBytes()))
        .OrderBy(r => r.Day).ThenBy(r => r.Combination, StringComparer.Ordinal).ToList();

    private sealed class Totals
    {
        public long Visits, PageViews, Events, Bounces, DurationMs, Converted, Conversions, Leads, RevenueMicros, Orders;
        public VisitorSketch Visitors { get; } = new();

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
            RevenueMicros += s.RevenueMicros;
            Orders += s.Orders;
            Visitors.Add(s.VisitorId);
        }
    }
}
