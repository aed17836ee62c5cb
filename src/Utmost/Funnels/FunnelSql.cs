using System.Globalization;
using Utmost.Core.Funnels;
using Utmost.Core.Query;
using Utmost.Query;

namespace Utmost.Funnels;

/// <summary>
/// The SELECTs behind a funnel report, in one engine's dialect. Events count from the period's start until the
/// window after its end; only the first step must fall within the period (that is when a visitor enters).
/// With a breakdown, each event is joined to its visit, and a visitor is grouped by the visit they entered in.
/// </summary>
public sealed class FunnelSql(QueryDialect dialect, Funnel funnel, Dimension? breakdown, long tenantKey, QueryPeriod period, long lookbackMs)
{
    private bool Joined => breakdown is not null;

    private string From() => Joined
        ? dialect.EventsWithSessionsFrom(tenantKey, period.FromMs, period.ToMs + funnel.WindowSeconds * 1000, lookbackMs, QuerySqlBuilder.EventColumns,
            QuerySqlBuilder.VisitColumns)
        : dialect.EventsFrom(tenantKey, period.FromMs, period.ToMs + funnel.WindowSeconds * 1000) + " AND visitor_id IS NOT NULL";

    private string Visitor => dialect.EventColumn("visitor_id", Joined);

    private string CreatedAt => dialect.EventColumn("created_at", Joined);

    private string Breakdown => breakdown is null ? "''" : $"COALESCE({dialect.VisitColumn(QuerySqlBuilder.VisitColumnOf(breakdown.Kind), true)}, '')";

    /// <summary>Whether an event meets step <paramref name="index"/> (0-based); the first only within the period.</summary>
    private string Step(int index)
    {
        var step = funnel.Steps[index];
        var parts = new List<string> { $"{dialect.EventColumn("event_type", Joined)} = {dialect.Value(step.EventType)}" };
        if (step.Page is not null)
        {
            parts.Add($"COALESCE({dialect.Contains(dialect.EventColumn("page_url", Joined), dialect.Value(step.Page))}, 0) = 1");
        }
        foreach (var (key, value) in step.Properties ?? new Dictionary<string, string>())
        {
            parts.Add($"COALESCE({dialect.Property(dialect.EventColumn("properties", Joined), key)} = {dialect.Value(value)}, 0) = 1");
        }
        if (index == 0)
        {
            parts.Add($"{CreatedAt} < {dialect.Value(period.ToMs)}");
        }
        return "(" + string.Join(" AND ", parts) + ")";
    }

    private IEnumerable<string> Steps => funnel.Steps.Select((_, i) => Step(i));

    private string AnyStep => "(" + string.Join(" OR ", Steps) + ")";

    /// <summary>
    /// Every event that meets a step: visitor, created_at (ms), the visit's breakdown value, and s1…sn (1 where it meets
    /// that step).
    /// </summary>
    public QueryStatement Hits()
    {
        var flags = string.Concat(Steps.Select((condition, i) => $", CASE WHEN {condition} THEN 1 ELSE 0 END AS s{Number(i + 1)}"));
        return new QueryStatement($"SELECT {Visitor} AS v, {CreatedAt} AS t, {Breakdown} AS b{flags} {From()} AND {AnyStep}",
            dialect.Parameters.ToList(), Joined ? QuerySource.EventsWithSessions : QuerySource.Events);
    }

    /// <summary><see cref="Hits"/> of the named visitors only (a few hundred at a time).</summary>
    public QueryStatement HitsOf(IReadOnlyCollection<string> visitors) =>
        Restricted($"{Visitor} IN ({string.Join(", ", visitors.Select(dialect.Value))})");

    /// <summary><see cref="Hits"/> of the visitors of one of <paramref name="buckets"/> even parts.</summary>
    public QueryStatement HitsOfBucket(int bucket, int buckets) =>
        Restricted($"{dialect.VisitorBucket(Visitor, buckets)} = {Number(bucket)}");

    private QueryStatement Restricted(string condition)
    {
        var hits = Hits();
        return hits with { Sql = $"{hits.Sql} AND {condition}", Parameters = dialect.Parameters.ToList() };
    }

    /// <summary>
    /// ClickHouse only: per visitor with an event of step <paramref name="minLevel"/> (all who can get that
    /// far, and a few more), the breakdown of their entry, and their step events as arrays of seconds and step flags
    /// (bit i set: meets step i + 1), one row a visitor rather than one an event.
    /// </summary>
    public QueryStatement VisitorHits(int minLevel)
    {
        var flags = string.Join(" + ", Steps.Select((condition, i) => $"(CASE WHEN {condition} THEN {Number(1L << i)} ELSE 0 END)"));
        var unjoined = new FunnelSql(dialect, funnel, null, tenantKey, period, lookbackMs);
        return new QueryStatement($"""
            SELECT v, argMinIf(b, t, bitAnd(f, 1) = 1) AS b, groupArray(intDiv(t, 1000)) AS seconds, groupArray(f) AS flags
            FROM (
                SELECT {Visitor} AS v, {CreatedAt} AS t, {Breakdown} AS b, {flags} AS f {From()} AND {AnyStep}
                  AND {Visitor} GLOBAL IN (SELECT visitor_id {unjoined.From()} AND {unjoined.Step(minLevel - 1)})
            ) GROUP BY v
            """, dialect.Parameters.ToList(), Joined ? QuerySource.EventsWithSessions : QuerySource.Events);
    }

    /// <summary>ClickHouse only: per breakdown value, the visitors who entered (a first step in the period), by the visit of their first entry.</summary>
    public QueryStatement Entered() => new($"""
        SELECT b, count() AS visitors FROM (
            SELECT {Visitor} AS v, argMin({Breakdown}, {CreatedAt}) AS b {From()} AND {Step(0)} GROUP BY v
        ) GROUP BY b
        """, dialect.Parameters.ToList(), Joined ? QuerySource.EventsWithSessions : QuerySource.Events);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
