using Utmost.Query;
using Utmost.Tenancy;

namespace Utmost.Reports;

/// <summary>The realtime panel's two SELECTs: who was active in the last minutes, and the latest conversions.</summary>
public sealed class RealtimeSql(QueryDialect dialect, Tenant tenant)
{
    public static readonly TimeSpan LiveWindow = TimeSpan.FromMinutes(5);

    /// <summary>How far back the latest conversions are looked for (the index on time keeps it cheap).</summary>
    public static readonly TimeSpan ConversionsWindow = TimeSpan.FromDays(30);

    // Events a little in the future (a sender's clock ahead) count as now.
    private static readonly TimeSpan Slack = TimeSpan.FromMinutes(1);

    public QueryStatement Live(DateTimeOffset now) => new(
        $"SELECT {dialect.CountDistinct("visitor_id")} AS visitors, COUNT(*) AS events " +
        dialect.EventsFrom(tenant.Key, (now - LiveWindow).ToUnixTimeMilliseconds(), (now + Slack).ToUnixTimeMilliseconds()),
        dialect.Parameters.ToList(), QuerySource.Events);

    /// <summary>created_at, goal, event_type, revenue_micros, currency, order_id, source, channel; newest first.</summary>
    public QueryStatement LatestConversions(DateTimeOffset now, int limit)
    {
        var goals = new GoalSql(dialect, tenant.Goals, column => column);
        var from = dialect.EventsFrom(tenant.Key, (now - ConversionsWindow).ToUnixTimeMilliseconds(), (now + Slack).ToUnixTimeMilliseconds());
        return new QueryStatement(
            $"SELECT created_at, {goals.Name()} AS goal, event_type, revenue_micros, currency, order_id, source, channel {from} AND {goals.Condition()} " +
            $"ORDER BY created_at DESC, id DESC LIMIT {limit}",
            dialect.Parameters.ToList(), QuerySource.Events);
    }
}
