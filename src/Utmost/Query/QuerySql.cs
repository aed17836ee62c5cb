using System.Globalization;
using System.Text;
using Utmost.Core.Conversions;
using Utmost.Core.Events;
using Utmost.Core.Metrics;
using Utmost.Core.Query;

namespace Utmost.Query;

/// <summary>What a statement reads, so the embedded engine knows which of its two files to open.</summary>
public enum QuerySource
{
    Sessions,
    Events,
    EventsWithSessions,
}

/// <summary>One SELECT and the values it carries (parameters on SQLite; ClickHouse gets literals in the text).</summary>
public sealed record QueryStatement(string Sql, IReadOnlyList<(string Name, object Value)> Parameters, QuerySource Source);

/// <summary>
/// The few things the engines spell differently: how values enter the text, distinct counts, text search,
/// JSON properties, months, and where events and sessions are read from. Everything else is the SQL both speak.
/// </summary>
public abstract class QueryDialect
{
    public List<(string Name, object Value)> Parameters { get; } = [];

    public abstract string Value(string text);
    public abstract string Value(long number);
    public abstract string CountDistinct(string expression);

    /// <summary>True when <paramref name="needle"/> (a value) occurs in the text, case-sensitively; null when the text is.</summary>
    public abstract string Contains(string expression, string needle);

    /// <summary>True when the pattern (a value, checked by <see cref="QueryFilters"/>) matches somewhere in the text.</summary>
    public abstract string Matches(string expression, string pattern);

    /// <summary>A top-level property of the event's JSON as text: strings unquoted, numbers and booleans as written, JSON null as NULL.</summary>
    public string Property(string propertiesColumn, string key) =>
        // A goal's property may have a name no JSON path can quote (older goals): it matches nothing rather than failing.
        QueryDimensions.IsPropertyKey(key) ? PropertyOf(propertiesColumn, key) : NullText;

    /// <summary>The property of a name <see cref="QueryDimensions.IsPropertyKey"/> accepts.</summary>
    protected abstract string PropertyOf(string propertiesColumn, string key);

    /// <summary>A NULL of the engine's text type.</summary>
    public abstract string NullText { get; }

    /// <summary>The page path of a URL column, by the steps of <see cref="Core.Query.UrlPaths.PathOf"/>.</summary>
    public abstract string UrlPath(string expression);

    /// <summary>yyyymm of local epoch milliseconds.</summary>
    public abstract string Month(string localMs);

    /// <summary>A whole-number column as a signed one (ClickHouse's are unsigned), so adding a negative offset works.</summary>
    public virtual string Signed(string column) => column;

    public virtual string Div(string expression, long divisor) => $"({expression}) / {divisor.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>FROM and WHERE over the tenant's sessions that started in [from, to).</summary>
    public abstract string SessionsFrom(long tenantKey, long fromMs, long toMs);

    /// <summary>FROM and WHERE over the tenant's visit rollup rows of the local days [firstDay, lastDay] (see <see cref="VisitRollups"/>).</summary>
    public abstract string RollupFrom(long tenantKey, long firstDay, long lastDay);

    /// <summary>The visitors of the rollup rows of a group: their sketches merged (what <see cref="QuerySqlBuilder.VisitorsAlias"/> holds).</summary>
    public abstract string RollupVisitors();

    /// <summary>FROM and WHERE over the tenant's counted events (not deleted, not bots) in [from, to).</summary>
    public abstract string EventsFrom(long tenantKey, long fromMs, long toMs);

    /// <summary>
    /// FROM and WHERE over the same events, each joined to the visit it belongs to: the visitor's session that began at
    /// or before it and ended at or after it. Visit columns then read as <see cref="VisitColumn"/> names them.
    /// </summary>
    public abstract string EventsWithSessionsFrom(long tenantKey, long fromMs, long toMs, long lookbackMs, IReadOnlyList<string> eventColumns,
        IReadOnlyList<string> visitColumns);

    /// <summary>Which of <paramref name="buckets"/> even parts of the visitors (by a hash of the id) the visitor falls in, 0 to buckets - 1.</summary>
    public abstract string VisitorBucket(string visitorId, int buckets);

    public abstract string EventColumn(string column, bool joined);

    public abstract string VisitColumn(string column, bool joined);
}

/// <summary>
/// Writes the SELECTs of one query in one dialect: the totals per group, and the revenue per group and currency.
/// Every caller value goes through <see cref="QueryDialect.Value(string)"/>; names come from fixed tables here.
/// </summary>
public sealed class QuerySqlBuilder(QueryDialect dialect, AnalyticsQuery query, QueryPlan plan, IReadOnlyList<Goal> goals, TimeZoneInfo zone,
    long lookbackMs)
{
    private const string PropertiesColumn = "properties";

    /// <summary>The visitors' column: a count, or (from ClickHouse's rollup) the merged sketches the engine counts.</summary>
    public const string VisitorsAlias = "t_visitors";

    private bool Joined => plan.JoinsSessions;

    /// <summary>The counts and sums of <see cref="GroupTotals"/> per group, as t_&lt;name&gt; after the dimensions d0, d1, … (aliases
    /// that no column has: ClickHouse resolves a name to an alias anywhere in the query).</summary>
    public QueryStatement Totals(long tenantKey, QueryPeriod period)
    {
        var (from, dimensions, groupBy) = Frame(tenantKey, period);
        string aggregates;
        if (plan.ReadsRollup)
        {
            aggregates = $"""
                {dialect.RollupVisitors()} AS {VisitorsAlias}, SUM(visits) AS t_visits, SUM(page_views) AS t_pageviews, SUM(events) AS t_events,
                SUM(bounces) AS t_bounces, SUM(duration_ms) AS t_duration_ms, SUM(converted) AS t_converted, SUM(conversions) AS t_conversions,
                SUM(leads) AS t_leads
                """;
        }
        else if (plan.Scope == QueryScope.Sessions)
        {
            aggregates = $"""
                {dialect.CountDistinct("visitor_id")} AS t_visitors, COUNT(*) AS t_visits, SUM(page_views) AS t_pageviews, SUM(events) AS t_events,
                SUM(CASE WHEN events <= 1 THEN 1 ELSE 0 END) AS t_bounces, SUM(ended_at - started_at) AS t_duration_ms,
                SUM(CASE WHEN conversions > 0 THEN 1 ELSE 0 END) AS t_converted, SUM(conversions) AS t_conversions, SUM(leads) AS t_leads
                """;
        }
        else
        {
            var type = Event("event_type");
            var visits = Joined ? dialect.CountDistinct(Visit("session_id")) : "0";
            // An order sent more than once (browser and server) is one conversion.
            var conversion = $"CASE WHEN {GoalCondition()} THEN COALESCE({Event("order_id")}, {Event("id")}) ELSE NULL END";
            aggregates = $"""
                {dialect.CountDistinct(Event("visitor_id"))} AS t_visitors, {visits} AS t_visits,
                SUM(CASE WHEN {type} = {dialect.Value(EventTypes.PageView)} THEN 1 ELSE 0 END) AS t_pageviews, COUNT(*) AS t_events,
                0 AS t_bounces, 0 AS t_duration_ms, 0 AS t_converted, {dialect.CountDistinct(conversion)} AS t_conversions,
                SUM(CASE WHEN {type} = {dialect.Value(EventTypes.LeadCreated)} THEN 1 ELSE 0 END) AS t_leads
                """;
        }
        return Statement($"SELECT {Select(dimensions)}{aggregates} {from} {groupBy}");
    }

    /// <summary>Revenue per group and currency (cur, micros, orders): sessions' own sums, or goal events with an order counted once.</summary>
    public QueryStatement Revenue(long tenantKey, QueryPeriod period)
    {
        var (from, dimensions, groupBy) = Frame(tenantKey, period);
        var names = Enumerable.Range(0, dimensions.Count).Select(Alias).ToList();
        var groupWithCurrency = "GROUP BY " + string.Join(", ", names.Append("cur"));
        if (plan.Scope == QueryScope.Sessions)
        {
            return Statement($"""
                SELECT {Select(dimensions)}revenue_currency AS cur, SUM(revenue_micros) AS t_micros, SUM(orders) AS t_orders
                {from} AND revenue_currency IS NOT NULL {groupWithCurrency}
                """);
        }
        var value = Event("revenue_micros");
        var currency = Event("currency");
        var inner = $"""
            SELECT {Select(dimensions)}{currency} AS cur, COALESCE({Event("order_id")}, {Event("id")}) AS conversion, MAX({value}) AS micros
            {from} AND {GoalCondition()} AND {value} IS NOT NULL AND {currency} IS NOT NULL
            GROUP BY {string.Join(", ", names.Append("cur").Append("conversion"))}
            """;
        var outerNames = names.Count == 0 ? "" : string.Join(", ", names) + ", ";
        return Statement($"SELECT {outerNames}cur, SUM(micros) AS t_micros, COUNT(*) AS t_orders FROM ({inner}) AS orders_once {groupWithCurrency}");
    }

    private QueryStatement Statement(string sql) => new(sql, dialect.Parameters.ToList(), plan.Scope == QueryScope.Sessions
        ? QuerySource.Sessions
        : Joined ? QuerySource.EventsWithSessions : QuerySource.Events);

    /// <summary>The FROM … WHERE with the filters, the dimension expressions, and the GROUP BY.</summary>
    private (string From, IReadOnlyList<string> Dimensions, string GroupBy) Frame(long tenantKey, QueryPeriod period)
    {
        var from = plan.ReadsRollup ? dialect.RollupFrom(tenantKey, OffsetSegments.NumberOfDay(period.FirstDay), OffsetSegments.NumberOfDay(period.LastDay))
            : plan.Scope == QueryScope.Sessions ? dialect.SessionsFrom(tenantKey, period.FromMs, period.ToMs)
            : Joined ? dialect.EventsWithSessionsFrom(tenantKey, period.FromMs, period.ToMs, lookbackMs, EventColumns, VisitColumns)
            : dialect.EventsFrom(tenantKey, period.FromMs, period.ToMs);
        foreach (var filter in query.Filters)
        {
            from += " AND " + Condition(filter);
        }
        var dimensions = query.Dimensions.Select(d => Expression(d, period)).ToList();
        // Plausible's event:goal groups conversions only: events that meet no goal have no group.
        if (query.Dimensions.Any(d => d.Kind == DimensionKind.EventGoal))
        {
            from += " AND " + GoalCondition();
        }
        var groupBy = dimensions.Count == 0 ? "" : "GROUP BY " + string.Join(", ", dimensions.Select((_, i) => Alias(i)));
        return (from, dimensions, groupBy);
    }

    private static string Alias(int index) => "d" + index.ToString(CultureInfo.InvariantCulture);

    private static string Select(IReadOnlyList<string> dimensions) =>
        string.Concat(dimensions.Select((expression, i) => $"{expression} AS {Alias(i)}, "));

    // The columns a joined query reads of each side.
    public static readonly string[] EventColumns =
        ["id", "visitor_id", "created_at", "event_type", "event_name", "page_url", PropertiesColumn, "order_id", "revenue_micros", "currency"];

    public static readonly string[] VisitColumns =
    [
        "session_id", "source", "medium", "campaign", "content", "term", "channel", "lead_source", "referrer", "landing_page", "exit_page",
        "device_type", "browser", "os",
    ];

    private string Event(string column) => dialect.EventColumn(column, Joined);

    private string Visit(string column) => plan.Scope == QueryScope.Sessions ? column : dialect.VisitColumn(column, Joined);

    private string Expression(Dimension dimension, QueryPeriod period) => dimension.Kind switch
    {
        DimensionKind.EventType => Event("event_type"),
        DimensionKind.EventName => Event("event_name"),
        DimensionKind.EventPage => dialect.UrlPath(Event("page_url")),
        DimensionKind.VisitEntryPage or DimensionKind.VisitExitPage => dialect.UrlPath(Visit(VisitColumnOf(dimension.Kind))),
        DimensionKind.EventGoal => GoalName(),
        DimensionKind.EventProperty => dialect.Property(Event(PropertiesColumn), dimension.PropertyKey!),
        _ when QueryPlan.IsVisitDimension(dimension) && dimension.Kind != DimensionKind.VisitCountry => Visit(VisitColumnOf(dimension.Kind)),
        // Not recorded (the plan warns).
        DimensionKind.VisitCountry => dialect.NullText,
        _ => Bucket(TimeBuckets.GrainOf(dimension.Kind, period), period),
    };

    /// <summary>The session column a visit dimension reads (the same name on every engine).</summary>
    public static string VisitColumnOf(DimensionKind kind) => kind switch
    {
        DimensionKind.VisitSource => "source",
        DimensionKind.VisitMedium => "medium",
        DimensionKind.VisitCampaign => "campaign",
        DimensionKind.VisitContent => "content",
        DimensionKind.VisitTerm => "term",
        DimensionKind.VisitChannel => "channel",
        DimensionKind.VisitLeadSource => "lead_source",
        DimensionKind.VisitReferrer => "referrer",
        DimensionKind.VisitEntryPage => "landing_page",
        DimensionKind.VisitExitPage => "exit_page",
        DimensionKind.VisitDevice => "device_type",
        DimensionKind.VisitBrowser => "browser",
        DimensionKind.VisitOs => "os",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), "not a visit dimension with a column"),
    };

    /// <summary>The time bucket of each row (its session's start, or the event's time) in the tenant's zone.</summary>
    private string Bucket(TimeGrain grain, QueryPeriod period)
    {
        if (plan.ReadsRollup)
        {
            // Rollup rows are local days already.
            return grain switch
            {
                TimeGrain.Day => "day",
                TimeGrain.Week => "(day - (day + 3) % 7)",
                TimeGrain.Month => dialect.Month($"{dialect.Signed("day")} * {OffsetSegments.MsPerDay}"),
                _ => throw new InvalidOperationException("The rollup has no hours"),
            };
        }
        var column = plan.Scope == QueryScope.Sessions ? "started_at" : Event("created_at");
        var segments = OffsetSegments.For(zone, period.FromMs, period.ToMs);
        var offset = new StringBuilder();
        if (segments.Count == 1)
        {
            offset.Append(dialect.Value(segments[0].OffsetMs));
        }
        else
        {
            offset.Append("CASE");
            foreach (var segment in segments.Take(segments.Count - 1))
            {
                offset.Append($" WHEN {column} < {dialect.Value(segment.ToMs)} THEN {dialect.Value(segment.OffsetMs)}");
            }
            offset.Append($" ELSE {dialect.Value(segments[^1].OffsetMs)} END");
        }
        var local = $"{dialect.Signed(column)} + {offset}";
        var day = dialect.Div(local, OffsetSegments.MsPerDay);
        return grain switch
        {
            TimeGrain.Hour => dialect.Div(local, TimeBuckets.MsPerHour),
            TimeGrain.Day => day,
            TimeGrain.Week => $"({day} - ({day} + 3) % 7)",
            _ => dialect.Month(local),
        };
    }

    private GoalSql Goals => new(dialect, goals, Event);

    private string GoalCondition() => Goals.Condition();

    private string GoalName() => Goals.Name();

    /// <summary>
    /// A filter as a condition that is never NULL: a missing value meets no positive condition and every negative one
    /// (<c>is_not</c>, <c>contains_not</c>, <c>matches_not</c>, <c>not</c>), as a reader of the filter expects.
    /// </summary>
    private string Condition(QueryFilter filter) => filter switch
    {
        FilterAll all => "(" + string.Join(" AND ", all.Filters.Select(Condition)) + ")",
        FilterAny any => "(" + string.Join(" OR ", any.Filters.Select(Condition)) + ")",
        FilterNot not => $"NOT {Condition(not.Filter)}",
        FilterCondition c => c.Operator switch
        {
            FilterOperator.Is or FilterOperator.Contains or FilterOperator.Matches => Positive(c),
            _ => $"NOT {Positive(c)}",
        },
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    private string Positive(FilterCondition c)
    {
        var expression = Expression(c.Dimension, new QueryPeriod(0, 1, default, default, false));
        var test = c.Operator switch
        {
            FilterOperator.Is or FilterOperator.IsNot => $"{expression} IN ({string.Join(", ", c.Values.Select(dialect.Value))})",
            FilterOperator.Contains or FilterOperator.ContainsNot =>
                string.Join(" OR ", c.Values.Select(v => dialect.Contains(expression, dialect.Value(v)))),
            _ => string.Join(" OR ", c.Values.Select(v => dialect.Matches(expression, dialect.Value(v)))),
        };
        return $"(COALESCE(({test}), 0) = 1)";
    }
}

/// <summary>The tenant's goals in SQL: whether an event meets one, and the name of the first it meets (as <see cref="Goal.FirstMatch"/>).</summary>
public sealed class GoalSql(QueryDialect dialect, IReadOnlyList<Goal> goals, Func<string, string> column)
{
    public string Condition() => goals.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", goals.Select(Met)) + ")";

    public string Name() => goals.Count == 0
        ? dialect.NullText
        : "CASE " + string.Concat(goals.Select(g => $"WHEN {Met(g)} THEN {dialect.Value(g.Name)} ")) + "ELSE NULL END";

    /// <summary>What <see cref="Goal.Matches"/> checks, in SQL: the type, and each property's text.</summary>
    private string Met(Goal goal)
    {
        var parts = new List<string> { $"{column("event_type")} = {dialect.Value(goal.EventType)}" };
        foreach (var (key, expected) in goal.Properties ?? new Dictionary<string, string>())
        {
            parts.Add($"COALESCE({dialect.Property(column("properties"), key)} = {dialect.Value(expected)}, 0) = 1");
        }
        return "(" + string.Join(" AND ", parts) + ")";
    }
}
