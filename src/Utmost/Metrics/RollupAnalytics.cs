using Utmost.Core.Metrics;
using Utmost.Tenancy;

namespace Utmost.Metrics;

/// <summary>
/// The metrics queries, shared by the engines: <see cref="RollupSql"/> writes them, a subclass runs them.
/// Only finding the first and last event differs enough between the engines to be their own.
/// </summary>
public abstract class RollupAnalytics : IMarketingAnalytics
{
    /// <summary>A builder for one query, passing values the engine's way.</summary>
    protected abstract RollupSql NewQuery();

    /// <summary>Runs a query written by <paramref name="query"/>; each row's columns in order, as long, string or null.</summary>
    protected abstract Task<IReadOnlyList<object?[]>> RunAsync(RollupSql query, string sql, CancellationToken cancellationToken);

    public abstract Task<(long FirstMs, long LastMs)?> SpanAsync(Tenant tenant, TimeRange range, CancellationToken cancellationToken);

    public async Task<IReadOnlyList<TypeCount>> CountsAsync(Tenant tenant, TimeRange range, IReadOnlyList<OffsetSegment>? segments,
        CancellationToken cancellationToken)
    {
        var plan = RollupPlan.For(range.FromMs, range.ToMs);
        if (segments is not null && !plan.FitsLocalDays(segments))
        {
            // A zone whose days do not start on a quarter hour (e.g. Liberia before 1972): count the events themselves.
            plan = plan.RawOnly;
        }
        var query = NewQuery();
        var rows = await RunAsync(query, query.Counts(tenant.Key, plan, segments), cancellationToken);
        return rows
            .Select(r => segments is null ? new TypeCount(0, (string)r[0]!, (long)r[1]!) : new TypeCount((long)r[0]!, (string)r[1]!, (long)r[2]!))
            .Where(c => c.Count > 0)
            .OrderBy(c => c.LocalDay).ThenBy(c => c.EventType, StringComparer.Ordinal)
            .ToArray();
    }

    public async Task<IReadOnlyList<ValueCount>> TopAsync(Tenant tenant, TimeRange range, Breakdown by, int limit, CancellationToken cancellationToken)
    {
        var query = NewQuery();
        var sql = query.Dimension(tenant.Key, RollupPlan.For(range.FromMs, range.ToMs), by.Column(), new DimensionOptions(Limit: limit));
        return (await RunAsync(query, sql, cancellationToken)).Select(r => new ValueCount((string)r[0]!, (long)r[1]!)).ToArray();
    }

    public async Task<IReadOnlyList<ValueTypeCount>> ByValueAndTypeAsync(Tenant tenant, TimeRange range, Breakdown by, CancellationToken cancellationToken)
    {
        var query = NewQuery();
        var sql = query.Dimension(tenant.Key, RollupPlan.For(range.FromMs, range.ToMs), by.Column(), new DimensionOptions(ByType: true));
        return (await RunAsync(query, sql, cancellationToken)).Select(r => new ValueTypeCount((string)r[0]!, (string)r[1]!, (long)r[2]!)).ToArray();
    }

    public async Task<long> CountAsync(Tenant tenant, string eventType, string utmCampaign, CancellationToken cancellationToken)
    {
        var query = NewQuery();
        var sql = query.Dimension(tenant.Key, RollupPlan.For(null, null), Breakdown.UtmCampaign.Column(),
            new DimensionOptions(Value: utmCampaign, EventType: eventType));
        return (await RunAsync(query, sql, cancellationToken)).Select(r => (long)r[1]!).SingleOrDefault();
    }
}
