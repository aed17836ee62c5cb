using System.Text;
using Microsoft.Data.Sqlite;
using Utmost.Core.Events;
using Utmost.Core.Metrics;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Metrics;

public sealed class SqliteMarketingAnalytics(SqliteDatabase database) : IMarketingAnalytics
{
    public async Task<EventTotals> TotalsAsync(Tenant tenant, TimeRange range, IReadOnlyList<string> goals, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"""
            SELECT COUNT(*),
                   COALESCE(SUM(CASE WHEN event_type = $page_view THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN event_type = $lead THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN event_type IN ({GoalParameters(command, goals)}) THEN 1 ELSE 0 END), 0),
                   MIN(created_at), MAX(created_at)
            FROM marketing_events
            """);
        Where(sql, command, tenant, range);
        AddTypeParameters(command);
        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new EventTotals(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt64(5));
    }

    public async Task<IReadOnlyList<ValueCount>> TopAsync(Tenant tenant, TimeRange range, Breakdown by, int limit, CancellationToken cancellationToken)
    {
        var column = by.Column();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {column}, COUNT(*) AS n FROM marketing_events");
        Where(sql, command, tenant, range);
        sql.Append($" AND {column} IS NOT NULL GROUP BY {column} ORDER BY n DESC, {column} LIMIT $limit");
        command.Parameters.AddWithValue("$limit", limit);
        command.CommandText = sql.ToString();
        var rows = new List<ValueCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ValueCount(reader.GetString(0), reader.GetInt64(1)));
        }
        return rows;
    }

    public async Task<IReadOnlyList<DayCounts>> DailyAsync(Tenant tenant, TimeRange range, IReadOnlyList<OffsetSegment> segments,
        IReadOnlyList<string> goals, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // local day = (utc ms + the zone's offset at that instant) / ms per day; the offset comes from a CASE over
        // the range's offset segments, so no engine needs time zone support of its own.
        var offset = new StringBuilder("$seg_offset_last");
        if (segments.Count > 1)
        {
            offset.Clear().Append("CASE");
            for (var i = 0; i < segments.Count - 1; i++)
            {
                offset.Append($" WHEN created_at < $seg_end_{i} THEN $seg_offset_{i}");
                command.Parameters.AddWithValue($"$seg_end_{i}", segments[i].ToMs);
                command.Parameters.AddWithValue($"$seg_offset_{i}", segments[i].OffsetMs);
            }
            offset.Append(" ELSE $seg_offset_last END");
        }
        command.Parameters.AddWithValue("$seg_offset_last", segments[^1].OffsetMs);
        var sql = new StringBuilder($"""
            SELECT (created_at + {offset}) / {OffsetSegments.MsPerDay} AS local_day,
                   COUNT(*),
                   SUM(CASE WHEN event_type = $page_view THEN 1 ELSE 0 END),
                   SUM(CASE WHEN event_type = $lead THEN 1 ELSE 0 END),
                   SUM(CASE WHEN event_type IN ({GoalParameters(command, goals)}) THEN 1 ELSE 0 END)
            FROM marketing_events
            """);
        Where(sql, command, tenant, range);
        sql.Append(" GROUP BY local_day ORDER BY local_day");
        AddTypeParameters(command);
        command.CommandText = sql.ToString();
        var rows = new List<DayCounts>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new DayCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }
        return rows;
    }

    public async Task<IReadOnlyList<SourceFunnel>> BySourceAsync(Tenant tenant, TimeRange range, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT utm_source,
                   SUM(CASE WHEN event_type = $page_view THEN 1 ELSE 0 END),
                   SUM(CASE WHEN event_type = $lead THEN 1 ELSE 0 END)
            FROM marketing_events
            """);
        Where(sql, command, tenant, range);
        sql.Append(" GROUP BY utm_source");
        AddTypeParameters(command);
        command.CommandText = sql.ToString();
        var rows = new List<SourceFunnel>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new SourceFunnel(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        return rows;
    }

    public async Task<long> CountAsync(Tenant tenant, string eventType, string utmCampaign, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM marketing_events
            WHERE tenant_key = $tenant_key AND utm_campaign = $utm_campaign AND event_type = $event_type AND deleted_at IS NULL
            """;
        command.Parameters.AddWithValue("$tenant_key", tenant.Key);
        command.Parameters.AddWithValue("$utm_campaign", utmCampaign);
        command.Parameters.AddWithValue("$event_type", eventType);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void Where(StringBuilder sql, SqliteCommand command, Tenant tenant, TimeRange range)
    {
        sql.Append(" WHERE tenant_key = $tenant_key AND deleted_at IS NULL");
        command.Parameters.AddWithValue("$tenant_key", tenant.Key);
        if (range.FromMs is { } from)
        {
            sql.Append(" AND created_at >= $from");
            command.Parameters.AddWithValue("$from", from);
        }
        if (range.ToMs is { } to)
        {
            sql.Append(" AND created_at <= $to");
            command.Parameters.AddWithValue("$to", to);
        }
    }

    private static void AddTypeParameters(SqliteCommand command)
    {
        command.Parameters.AddWithValue("$page_view", EventTypes.PageView);
        command.Parameters.AddWithValue("$lead", EventTypes.LeadCreated);
    }

    /// <summary>One parameter per goal ("$goal_0, $goal_1"); an empty goal list matches nothing.</summary>
    private static string GoalParameters(SqliteCommand command, IReadOnlyList<string> goals)
    {
        if (goals.Count == 0)
        {
            return "NULL";
        }
        var names = new string[goals.Count];
        for (var i = 0; i < goals.Count; i++)
        {
            names[i] = $"$goal_{i}";
            command.Parameters.AddWithValue(names[i], goals[i]);
        }
        return string.Join(", ", names);
    }
}
