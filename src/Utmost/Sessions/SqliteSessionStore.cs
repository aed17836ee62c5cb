using System.Text;
using Microsoft.Data.Sqlite;
using Utmost.Core.Sessions;
using Utmost.Storage.Sqlite;

namespace Utmost.Sessions;

/// <summary>Sessions in the embedded store, beside the events; per-visitor reads use the (tenant, visitor, time) indexes.</summary>
public sealed class SqliteSessionStore(SqliteDatabase database) : ISessionStore
{
    public async Task<Dictionary<VisitorKey, List<long>>> SessionStartsAsync(IReadOnlyDictionary<VisitorKey, long> since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await PerVisitorAsync(connection, since,
            "SELECT started_at FROM sessions WHERE tenant_key = $tenant_key AND visitor_id = $visitor_id AND started_at >= $from",
            reader => reader.GetInt64(0), cancellationToken);
    }

    public async Task<Dictionary<VisitorKey, List<SessionEvent>>> EventsAsync(IReadOnlyDictionary<VisitorKey, long> from, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await PerVisitorAsync(connection, from, $"""
            SELECT {SessionRows.EventColumns} FROM marketing_events
            WHERE tenant_key = $tenant_key AND visitor_id = $visitor_id AND created_at >= $from AND deleted_at IS NULL AND is_bot = 0
            ORDER BY created_at, id
            """, reader => SessionRows.ToEvent(SessionRows.Row.Of(reader)), cancellationToken);
    }

    public async Task ReplaceAsync(IReadOnlyDictionary<VisitorKey, long> from, IReadOnlyList<Session> sessions, long version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var delete = Command(connection, "DELETE FROM sessions WHERE tenant_key = $tenant_key AND visitor_id = $visitor_id AND started_at >= $from"))
        {
            foreach (var (visitor, start) in from)
            {
                Bind(delete, visitor, start);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        var names = SessionRows.SessionColumnNames;
        await using var insert = Command(connection,
            $"INSERT INTO sessions ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(n => "$" + n))})");
        foreach (var session in sessions)
        {
            var values = SessionRows.Values(session);
            for (var i = 0; i < names.Length; i++)
            {
                insert.Parameters["$" + names[i]].Value = values[i] ?? DBNull.Value;
            }
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Session>> ListAsync(long tenantKey, SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {SessionRows.SessionColumns} FROM sessions WHERE tenant_key = $tenant_key");
        command.Parameters.AddWithValue("$tenant_key", tenantKey);
        void Condition(string condition, string name, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(condition);
                command.Parameters.AddWithValue(name, value);
            }
        }
        Condition("started_at >= $from", "$from", filter.FromMs);
        Condition("started_at <= $to", "$to", filter.ToMs);
        Condition("channel = $channel COLLATE NOCASE", "$channel", filter.Channel);
        Condition("visitor_id = $visitor_id", "$visitor_id", filter.VisitorId);
        if (filter.Converted is { } converted)
        {
            sql.Append(converted ? " AND conversions > 0" : " AND conversions = 0");
        }
        sql.Append(" ORDER BY started_at DESC, session_id DESC LIMIT $limit OFFSET $offset");
        command.Parameters.AddWithValue("$limit", filter.Limit);
        command.Parameters.AddWithValue("$offset", filter.Offset);
        command.CommandText = sql.ToString();
        return await ReadSessionsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Session>> OfVisitorsAsync(long tenantKey, IReadOnlyCollection<string> visitorIds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var byVisitor = await PerVisitorAsync(connection, visitorIds.Distinct().ToDictionary(v => new VisitorKey(tenantKey, v), _ => 0L),
            $"SELECT {SessionRows.SessionColumns} FROM sessions WHERE tenant_key = $tenant_key AND visitor_id = $visitor_id AND started_at >= $from",
            reader => SessionRows.ToSession(SessionRows.Row.Of(reader)), cancellationToken);
        return byVisitor.Values.SelectMany(s => s).OrderBy(s => s.StartedAt).ThenBy(s => s.SessionId, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsOfPersonAsync(long tenantKey, IReadOnlyCollection<string> visitorIds,
        string? userId, IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken)
    {
        if (eventTypes.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var types = Parameters(command, "type", eventTypes);
        var visitors = Parameters(command, "visitor", visitorIds);
        command.Parameters.AddWithValue("$tenant_key", tenantKey);
        command.Parameters.AddWithValue("$user_id", (object?)userId ?? DBNull.Value);
        // Two lookups, each by its own index, rather than one OR that would scan the tenant's events.
        command.CommandText = $"""
            SELECT {SessionRows.EventColumns} FROM marketing_events
            WHERE tenant_key = $tenant_key AND visitor_id IN ({visitors}) AND event_type IN ({types}) AND deleted_at IS NULL AND is_bot = 0
            UNION
            SELECT {SessionRows.EventColumns} FROM marketing_events
            WHERE tenant_key = $tenant_key AND user_id = $user_id AND event_type IN ({types}) AND deleted_at IS NULL AND is_bot = 0
            ORDER BY created_at, id
            """;
        var events = new List<(SessionEvent, string?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var row = SessionRows.Row.Of(reader);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add((SessionRows.ToEvent(row), row.Text("visitor_id")));
        }
        return events;
    }

    public async Task<IReadOnlyList<string>> VisitorsOfUserAsync(long tenantKey, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT DISTINCT visitor_id FROM marketing_events
            WHERE tenant_key = $tenant_key AND user_id = $user_id AND visitor_id IS NOT NULL AND deleted_at IS NULL
            """;
        command.Parameters.AddWithValue("$tenant_key", tenantKey);
        command.Parameters.AddWithValue("$user_id", userId);
        var visitors = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            visitors.Add(reader.GetString(0));
        }
        return visitors;
    }

    /// <summary>Runs one prepared query per visitor (an index seek each) and collects its rows.</summary>
    private static async Task<Dictionary<VisitorKey, List<T>>> PerVisitorAsync<T>(SqliteConnection connection, IReadOnlyDictionary<VisitorKey, long> from,
        string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var result = new Dictionary<VisitorKey, List<T>>();
        await using var command = Command(connection, sql);
        foreach (var (visitor, start) in from)
        {
            Bind(command, visitor, start);
            var rows = new List<T>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(read(reader));
                }
            }
            result[visitor] = rows;
        }
        return result;
    }

    /// <summary>A command with every $name of its SQL as a parameter, to be bound again for each row.</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, @"\$[a-z_]+").Select(m => m.Value).Distinct())
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }
        return command;
    }

    private static void Bind(SqliteCommand command, VisitorKey visitor, long from)
    {
        command.Parameters["$tenant_key"].Value = visitor.TenantKey;
        command.Parameters["$visitor_id"].Value = visitor.VisitorId;
        command.Parameters["$from"].Value = from;
    }

    /// <summary>$name0, $name1, … bound to the values; an empty list matches nothing.</summary>
    private static string Parameters(SqliteCommand command, string name, IReadOnlyCollection<string> values)
    {
        if (values.Count == 0)
        {
            return "NULL";
        }
        var names = values.Select((value, i) =>
        {
            command.Parameters.AddWithValue($"${name}{i}", value);
            return $"${name}{i}";
        });
        return string.Join(", ", names);
    }

    private static async Task<IReadOnlyList<Session>> ReadSessionsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var sessions = new List<Session>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var row = SessionRows.Row.Of(reader);
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(SessionRows.ToSession(row));
        }
        return sessions;
    }
}
