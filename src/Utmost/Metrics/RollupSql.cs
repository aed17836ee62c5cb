using System.Text;
using Utmost.Core.Metrics;

namespace Utmost.Metrics;

/// <summary>
/// Builds the metrics queries over rollups, raw events and soft deletes, in SQL that SQLite and ClickHouse 18.16
/// both run. Each query adds up signed pieces: rollup rows for the aligned middle of the range, raw events for
/// its ragged ends, and minus one for every soft-deleted event in the range (rollups count every stored event).
/// Bots are left out everywhere: the rollups never count them.
/// An instance builds one query: subclasses say how a value is passed (parameter or escaped literal) and what
/// differs between the engines. Column and table names come from this file only.
/// </summary>
public abstract class RollupSql
{
    /// <summary>Appended to a rollup table's name (ClickHouse rollups are ReplacingMergeTree, read with FINAL).</summary>
    protected abstract string Final { get; }

    /// <summary>Where soft-deleted events are found, and the condition that picks them there.</summary>
    protected abstract (string Table, string Condition) Deleted { get; }

    public abstract string Value(long value);

    public abstract string Value(string value);

    /// <summary>A 64-bit signed integer constant (ClickHouse wants the branches of UNION ALL to agree on types).</summary>
    protected abstract string Int(long value);

    /// <summary>A nullable text column in a place where it is known not to be null.</summary>
    protected abstract string NotNull(string column);

    /// <summary>Whole days since the epoch of a millisecond expression (integer division).</summary>
    protected abstract string DayNumber(string msExpression);

    /// <summary>
    /// Counts per event type in the range, and per local day when <paramref name="segments"/> (the zone's offsets)
    /// are given. Columns: [local_day,] event_type, n.
    /// </summary>
    public string Counts(long tenantKey, RollupPlan plan, IReadOnlyList<OffsetSegment>? segments)
    {
        var tenant = Value(tenantKey);
        var pieces = new List<string>();
        if (plan.QuarterTo > plan.QuarterFrom)
        {
            pieces.Add($"""
                SELECT bucket AS t, event_type, events AS c FROM rollup_counts{Final}
                WHERE tenant_key = {tenant} AND bucket >= {Value(plan.QuarterFrom)} AND bucket < {Value(plan.QuarterTo)}
                """);
        }
        foreach (var (from, to) in plan.RawSpans)
        {
            pieces.Add($"""
                SELECT created_at AS t, event_type, {Int(1)} AS c FROM marketing_events
                WHERE tenant_key = {tenant} AND is_bot = 0 AND created_at >= {Value(from)} AND created_at < {Value(to)}
                """);
        }
        var (deleted, condition) = Deleted;
        pieces.Add($"""
            SELECT created_at AS t, event_type, {Int(-1)} AS c FROM {deleted}
            WHERE tenant_key = {tenant} AND {condition} AND is_bot = 0 AND created_at >= {Value(plan.From)} AND created_at < {Value(plan.To)}
            """);
        var union = string.Join("\nUNION ALL\n", pieces);
        if (segments is null)
        {
            return $"SELECT event_type, SUM(c) AS n FROM ({union}) AS pieces GROUP BY event_type";
        }
        return $"""
            SELECT {DayNumber("t + " + OffsetAt("t", segments))} AS local_day, event_type, SUM(c) AS n
            FROM ({union}) AS pieces
            GROUP BY local_day, event_type
            """;
    }

    /// <summary>
    /// Counts per value of <paramref name="dimension"/> (events without a value left out), optionally per event type,
    /// for one value or type, or the top <paramref name="limit"/> values. Columns: value, [event_type,] n.
    /// </summary>
    public string Dimension(long tenantKey, RollupPlan plan, string dimension, DimensionOptions options)
    {
        if (!Rollups.Dimensions.Contains(dimension))
        {
            throw new ArgumentOutOfRangeException(nameof(dimension));
        }
        var tenant = Value(tenantKey);
        // Each piece filters its own way: the rollups hold the value in "value", events in the dimension's column.
        string Filters(string column) =>
            (options.Value is { } value ? $" AND {column} = {Value(value)}" : "") +
            (options.EventType is { } eventType ? $" AND event_type = {Value(eventType)}" : "");

        var pieces = new List<string>();
        string RollupPiece(int grain, long from, long to) => $"""
            SELECT value, event_type, events AS c FROM rollup_dimensions{Final}
            WHERE tenant_key = {tenant} AND grain = {Value(grain)} AND dimension = {Value(dimension)}
              AND bucket >= {Value(from)} AND bucket < {Value(to)}{Filters("value")}
            """;
        if (plan.DayTo > plan.DayFrom)
        {
            pieces.Add(RollupPiece(Rollups.DayMinutes, plan.DayFrom, plan.DayTo));
        }
        foreach (var (from, to) in plan.QuarterSpansAroundDays)
        {
            pieces.Add(RollupPiece(Rollups.QuarterMinutes, from, to));
        }
        foreach (var (from, to) in plan.RawSpans)
        {
            pieces.Add($"""
                SELECT {NotNull(dimension)} AS value, event_type, {Int(1)} AS c FROM marketing_events
                WHERE tenant_key = {tenant} AND is_bot = 0 AND {dimension} IS NOT NULL
                  AND created_at >= {Value(from)} AND created_at < {Value(to)}{Filters(dimension)}
                """);
        }
        var (deleted, condition) = Deleted;
        pieces.Add($"""
            SELECT {NotNull(dimension)} AS value, event_type, {Int(-1)} AS c FROM {deleted}
            WHERE tenant_key = {tenant} AND {condition} AND is_bot = 0 AND {dimension} IS NOT NULL
              AND created_at >= {Value(plan.From)} AND created_at < {Value(plan.To)}{Filters(dimension)}
            """);
        var groups = options.ByType ? "value, event_type" : "value";
        var sql = $"""
            SELECT {groups}, SUM(c) AS n
            FROM ({string.Join("\nUNION ALL\n", pieces)}) AS pieces
            GROUP BY {groups}
            HAVING SUM(c) > 0
            """;
        return options.Limit is { } limit ? sql + $"\nORDER BY n DESC, value LIMIT {Value(limit)}" : sql;
    }

    /// <summary>The zone's offset at time <paramref name="column"/>: a CASE over the offset segments.</summary>
    private string OffsetAt(string column, IReadOnlyList<OffsetSegment> segments)
    {
        if (segments.Count == 1)
        {
            return Value(segments[0].OffsetMs);
        }
        var sql = new StringBuilder("(CASE");
        for (var i = 0; i < segments.Count - 1; i++)
        {
            sql.Append($" WHEN {column} < {Value(segments[i].ToMs)} THEN {Int(segments[i].OffsetMs)}");
        }
        return sql.Append($" ELSE {Int(segments[^1].OffsetMs)} END)").ToString();
    }
}

/// <summary>What a dimension query returns: per type or not, one value or type only, the top N values.</summary>
public sealed record DimensionOptions(bool ByType = false, string? Value = null, string? EventType = null, int? Limit = null);
