using System.Text.Json;
using Utmost.Core.Events;
using Utmost.Core.Metrics;
using Utmost.Events;
using Utmost.Storage.ClickHouse;
using Utmost.Tenancy;

namespace Utmost.Metrics;

/// <summary>The AEON aggregates in ClickHouse SQL (runs on 18.16 and current versions), read after flushing the spool.</summary>
public sealed class ClickHouseMarketingAnalytics(ClickHouseClient clickHouse, ClickHouseShipper shipper) : IMarketingAnalytics
{
    public async Task<EventTotals> TotalsAsync(Tenant tenant, TimeRange range, IReadOnlyList<string> goals, CancellationToken cancellationToken)
    {
        var row = (await QueryAsync(tenant, range, """
            SELECT count() AS events, countIf(event_type = {page_view}) AS page_views, countIf(event_type = {lead}) AS leads,
                   countIf(has({goals}, event_type)) AS conversions, min(created_at) AS first, max(created_at) AS last
            FROM marketing_events FINAL
            WHERE {where}
            """, new() { ["goals"] = ClickHouseSql.Literal(goals) }, cancellationToken)).Single();
        var events = row.GetProperty("events").GetInt64();
        return new EventTotals(events, row.GetProperty("page_views").GetInt64(), row.GetProperty("leads").GetInt64(),
            row.GetProperty("conversions").GetInt64(),
            events == 0 ? null : row.GetProperty("first").GetInt64(), events == 0 ? null : row.GetProperty("last").GetInt64());
    }

    public async Task<IReadOnlyList<ValueCount>> TopAsync(Tenant tenant, TimeRange range, Breakdown by, int limit, CancellationToken cancellationToken)
    {
        var column = by.Column();
        var rows = await QueryAsync(tenant, range, $$"""
            SELECT assumeNotNull({{column}}) AS value, count() AS n
            FROM marketing_events FINAL
            WHERE {where} AND isNotNull({{column}})
            GROUP BY value
            ORDER BY n DESC, value
            LIMIT {limit}
            """, new() { ["limit"] = ClickHouseSql.Literal(limit) }, cancellationToken);
        return rows.Select(r => new ValueCount(r.GetProperty("value").GetString()!, r.GetProperty("n").GetInt64())).ToArray();
    }

    public async Task<IReadOnlyList<DayCounts>> DailyAsync(Tenant tenant, TimeRange range, IReadOnlyList<OffsetSegment> segments,
        IReadOnlyList<string> goals, CancellationToken cancellationToken)
    {
        // The same arithmetic as on SQLite: local day = (utc ms + the zone's offset then) / ms per day.
        var offset = segments.Count == 1
            ? ClickHouseSql.Literal(segments[0].OffsetMs)
            : "multiIf(" + string.Concat(segments.Take(segments.Count - 1).Select(s =>
                $"created_at < {ClickHouseSql.Literal(s.ToMs)}, {ClickHouseSql.Literal(s.OffsetMs)}, ")) + ClickHouseSql.Literal(segments[^1].OffsetMs) + ")";
        var rows = await QueryAsync(tenant, range, $$"""
            SELECT intDiv(toInt64(created_at) + {{offset}}, {{OffsetSegments.MsPerDay}}) AS local_day, count() AS events,
                   countIf(event_type = {page_view}) AS page_views, countIf(event_type = {lead}) AS leads,
                   countIf(has({goals}, event_type)) AS conversions
            FROM marketing_events FINAL
            WHERE {where}
            GROUP BY local_day
            ORDER BY local_day
            """, new() { ["goals"] = ClickHouseSql.Literal(goals) }, cancellationToken);
        return rows.Select(r => new DayCounts(r.GetProperty("local_day").GetInt64(), r.GetProperty("events").GetInt64(),
            r.GetProperty("page_views").GetInt64(), r.GetProperty("leads").GetInt64(), r.GetProperty("conversions").GetInt64())).ToArray();
    }

    public async Task<IReadOnlyList<SourceFunnel>> BySourceAsync(Tenant tenant, TimeRange range, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(tenant, range, """
            SELECT utm_source, countIf(event_type = {page_view}) AS page_views, countIf(event_type = {lead}) AS leads
            FROM marketing_events FINAL
            WHERE {where}
            GROUP BY utm_source
            """, new(), cancellationToken);
        return rows.Select(r => new SourceFunnel(
            r.GetProperty("utm_source").ValueKind == JsonValueKind.Null ? null : r.GetProperty("utm_source").GetString(),
            r.GetProperty("page_views").GetInt64(), r.GetProperty("leads").GetInt64())).ToArray();
    }

    public async Task<long> CountAsync(Tenant tenant, string eventType, string utmCampaign, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(tenant, new TimeRange(null, null), """
            SELECT count() AS n FROM marketing_events FINAL
            WHERE {where} AND utm_campaign = {campaign} AND event_type = {event_type}
            """, new() { ["campaign"] = ClickHouseSql.Literal(utmCampaign), ["event_type"] = ClickHouseSql.Literal(eventType) }, cancellationToken);
        return rows.Single().GetProperty("n").GetInt64();
    }

    /// <summary>Fills the shared placeholders ({where}: tenant, not deleted, range; {page_view}; {lead}) and runs the query.</summary>
    private async Task<IReadOnlyList<JsonElement>> QueryAsync(
        Tenant tenant, TimeRange range, string template, Dictionary<string, string> values, CancellationToken cancellationToken)
    {
        await shipper.FlushAsync(cancellationToken);
        var where = $"tenant_key = {ClickHouseSql.Literal(tenant.Key)} AND isNull(deleted_at)";
        if (range.FromMs is { } from)
        {
            where += $" AND created_at >= {ClickHouseSql.Literal(from)}";
        }
        if (range.ToMs is { } to)
        {
            where += $" AND created_at <= {ClickHouseSql.Literal(to)}";
        }
        values["where"] = where;
        if (template.Contains("{page_view}", StringComparison.Ordinal))
        {
            values["page_view"] = ClickHouseSql.Literal(EventTypes.PageView);
        }
        if (template.Contains("{lead}", StringComparison.Ordinal))
        {
            values["lead"] = ClickHouseSql.Literal(EventTypes.LeadCreated);
        }
        return await clickHouse.QueryAsync(ClickHouseSql.Format(template, values), cancellationToken);
    }
}
