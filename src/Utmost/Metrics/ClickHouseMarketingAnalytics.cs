using System.Text.Json;
using Utmost.Core.Metrics;
using Utmost.Events;
using Utmost.Storage.ClickHouse;
using Utmost.Tenancy;

namespace Utmost.Metrics;

/// <summary>The metrics over ClickHouse (18.16 and current versions), read after flushing the spool.</summary>
public sealed class ClickHouseMarketingAnalytics(ClickHouseClient clickHouse, ClickHouseShipper shipper) : RollupAnalytics
{
    protected override RollupSql NewQuery() => new ClickHouseRollupSql();

    protected override async Task<IReadOnlyList<object?[]>> RunAsync(RollupSql query, string sql, CancellationToken cancellationToken)
    {
        await shipper.FlushAsync(cancellationToken);
        var rows = await clickHouse.QueryAsync(sql, cancellationToken);
        return rows.Select(row => row.EnumerateObject().Select(column => column.Value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.Number => (object)column.Value.GetInt64(),
            _ => column.Value.GetString(),
        }).ToArray()).ToArray();
    }

    public override async Task<(long FirstMs, long LastMs)?> SpanAsync(Tenant tenant, TimeRange range, CancellationToken cancellationToken)
    {
        await shipper.FlushAsync(cancellationToken);
        var plan = RollupPlan.For(range.FromMs, range.ToMs);
        var tenantKey = ClickHouseSql.Literal(tenant.Key);
        // ClickHouse 18.16 reads a whole range to find its minimum; the rollups narrow it to the first and last
        // quarter hour that hold events, and only if every event there was deleted is the whole range read.
        var buckets = (await clickHouse.QueryAsync($"""
            SELECT min(bucket) AS first, max(bucket) AS last, count() AS rows FROM rollup_counts
            WHERE tenant_key = {tenantKey} AND bucket >= {ClickHouseSql.Literal(Rollups.BucketOf(plan.From, Rollups.QuarterMs))}
              AND bucket < {ClickHouseSql.Literal(plan.To)}
            """, cancellationToken)).Single();
        if (buckets.GetProperty("rows").GetInt64() == 0)
        {
            return null;
        }
        var firstEnd = Math.Min(buckets.GetProperty("first").GetInt64() + Rollups.QuarterMs, plan.To);
        var lastStart = Math.Max(buckets.GetProperty("last").GetInt64(), plan.From);
        var narrow = await EndsAsync(tenantKey, $"""
            (created_at >= {ClickHouseSql.Literal(plan.From)} AND created_at < {ClickHouseSql.Literal(firstEnd)}
             OR created_at >= {ClickHouseSql.Literal(lastStart)} AND created_at < {ClickHouseSql.Literal(plan.To)})
            """, firstEnd, lastStart, cancellationToken);
        return narrow ?? await EndsAsync(tenantKey,
            $"created_at >= {ClickHouseSql.Literal(plan.From)} AND created_at < {ClickHouseSql.Literal(plan.To)}", plan.To, plan.From, cancellationToken);
    }

    /// <summary>The first event before <paramref name="firstEnd"/> and the last from <paramref name="lastStart"/> on; null unless both exist.</summary>
    private async Task<(long, long)?> EndsAsync(string tenantKey, string condition, long firstEnd, long lastStart, CancellationToken cancellationToken)
    {
        var row = (await clickHouse.QueryAsync($"""
            SELECT minIf(created_at, created_at < {ClickHouseSql.Literal(firstEnd)}) AS first,
                   countIf(created_at < {ClickHouseSql.Literal(firstEnd)}) AS firsts,
                   maxIf(created_at, created_at >= {ClickHouseSql.Literal(lastStart)}) AS last,
                   countIf(created_at >= {ClickHouseSql.Literal(lastStart)}) AS lasts
            FROM marketing_events
            WHERE tenant_key = {tenantKey} AND is_bot = 0 AND {condition} AND {ClickHouseEventStore.NotDeleted(tenantKey)}
            """, cancellationToken)).Single();
        return row.GetProperty("firsts").GetInt64() > 0 && row.GetProperty("lasts").GetInt64() > 0
            ? (row.GetProperty("first").GetInt64(), row.GetProperty("last").GetInt64())
            : null;
    }

    /// <summary>Values become escaped literals; rollups and deletes are ReplacingMergeTree tables, read with FINAL.</summary>
    private sealed class ClickHouseRollupSql : RollupSql
    {
        protected override string Final => " FINAL";

        protected override (string Table, string Condition) Deleted => ("deleted_events FINAL", "1 = 1");

        public override string Value(long value) => ClickHouseSql.Literal(value);

        public override string Value(string value) => ClickHouseSql.Literal(value);

        protected override string Int(long value) => $"toInt64({ClickHouseSql.Literal(value)})";

        protected override string NotNull(string column) => $"assumeNotNull({column})";

        protected override string DayNumber(string msExpression) => $"intDiv(toInt64({msExpression}), {OffsetSegments.MsPerDay})";
    }
}
