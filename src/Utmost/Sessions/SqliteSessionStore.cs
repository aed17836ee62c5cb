using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Utmost.Core.Metrics;
using Utmost.Core.Sessions;
using Utmost.Storage.Sqlite;

namespace Utmost.Sessions;

/// <summary>Sessions in sessions.db, read beside the events of utmost.db.</summary>
public sealed class SqliteSessionStore(SqliteDatabase eventsFile, SessionsDatabase sessionsFile) : ISessionStore
{
    public bool ReadsUpToLocalRowid => true;

    private SqliteDatabase Sessions => sessionsFile.Database;

    public async Task<Dictionary<VisitorKey, List<(long Start, long End)>>> SessionSpansAsync(IReadOnlyDictionary<VisitorKey, long> since,
        CancellationToken cancellationToken)
    {
        await using var connection = await Sessions.OpenAsync(cancellationToken);
        return PerVisitor(connection, since,
            "SELECT started_at, ended_at FROM sessions WHERE tenant_key = ?1 AND visitor_id = ?2 AND started_at >= ?3",
            statement => (raw.sqlite3_column_int64(statement, 0), raw.sqlite3_column_int64(statement, 1)));
    }

    /// <summary>
    /// Events have no index by visitor (it cost ingestion a third of its throughput): the tenant's events from the
    /// earliest time asked are scanned once by time, a few thousand visitors at a time, and kept by visitor.
    /// </summary>
    public async Task<Dictionary<VisitorKey, List<SessionEvent>>> EventsAsync(IReadOnlyDictionary<VisitorKey, long> from, long? localRowidAtMost,
        CancellationToken cancellationToken)
    {
        var events = from.Keys.ToDictionary(v => v, _ => new List<SessionEvent>());
        await using var connection = await eventsFile.OpenAsync(cancellationToken);
        foreach (var tenant in from.Keys.GroupBy(v => v.TenantKey))
        {
            foreach (var chunk in tenant.Chunk(VisitorsPerScan))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"""
                    SELECT {SessionRows.EventColumns} FROM marketing_events
                    WHERE tenant_key = $tenant_key AND created_at >= $from AND rowid <= $rowid AND deleted_at IS NULL AND is_bot = 0
                      AND visitor_id IN ({Parameters(command, "visitor", chunk.Select(v => v.VisitorId).ToArray())})
                    ORDER BY created_at, id
                    """;
                command.Parameters.AddWithValue("$tenant_key", tenant.Key);
                command.Parameters.AddWithValue("$from", chunk.Min(v => from[v]));
                command.Parameters.AddWithValue("$rowid", localRowidAtMost ?? long.MaxValue);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var row = SessionRows.Row.Of(reader);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var visitor = new VisitorKey(tenant.Key, reader.GetString(0));
                    var e = SessionRows.ToEvent(row);
                    if (e.CreatedAt >= from[visitor])
                    {
                        events[visitor].Add(e);
                    }
                }
            }
        }
        return events;
    }

    private const int VisitorsPerScan = 5_000;

    public async Task ReplaceAsync(IReadOnlyDictionary<VisitorKey, long> from, IReadOnlyList<Session> sessions, long version, CancellationToken cancellationToken)
    {
        await using var connection = await Sessions.OpenAsync(cancellationToken);
        // Sessions can be built again from the events, so their commits need not wait for the disk: the builder's
        // next watermark commit (synchronous = FULL) makes them durable first, as the log is written in order.
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = NORMAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        // SQLite's own API, bound by position: a round of the builder writes thousands of sessions.
        var db = connection.Handle!;
        using var delete = SqliteNative.Prepare(db, "DELETE FROM sessions WHERE tenant_key = ?1 AND visitor_id = ?2 AND started_at >= ?3");
        var names = SessionRows.SessionColumnNames;
        // A session that went on is updated in place: its key columns never change, so no index entry moves.
        using var insert = SqliteNative.Prepare(db, $"""
            INSERT INTO sessions ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select((_, i) => $"?{i + 1}"))})
            ON CONFLICT (tenant_key, visitor_id, started_at, session_id) DO UPDATE SET
            {string.Join(", ", names.Skip(4).Select(n => $"{n} = excluded.{n}"))}
            """);
        var byVisitor = sessions.ToLookup(s => new VisitorKey(s.TenantKey, s.VisitorId));
        // A visitor's sessions change in one transaction; visitors go a few hundred per transaction, so that
        // ingestion, which shares SQLite's one writer, never waits long.
        foreach (var visitors in from.Keys.Union(byVisitor.Select(g => g.Key)).Chunk(VisitorsPerTransaction))
        {
            await Sessions.WriteGate.WaitAsync(cancellationToken);
            try
            {
                WriteVisitors(connection, visitors, from, byVisitor, delete, insert);
            }
            finally
            {
                Sessions.WriteGate.Release();
            }
        }
    }

    private readonly SqliteNative.TextBinder _text = new();

    private void WriteVisitors(SqliteConnection connection, VisitorKey[] visitors, IReadOnlyDictionary<VisitorKey, long> from,
        ILookup<VisitorKey, Session> byVisitor, sqlite3_stmt delete, sqlite3_stmt insert)
    {
        var db = connection.Handle!;
        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var visitor in visitors)
        {
            if (from.TryGetValue(visitor, out var start))
            {
                SqliteNative.Bind(db, delete, 1, visitor.TenantKey);
                SqliteNative.Bind(db, delete, 2, visitor.VisitorId);
                SqliteNative.Bind(db, delete, 3, start);
                SqliteNative.Execute(db, delete);
            }
            foreach (var session in byVisitor[visitor])
            {
                var values = SessionRows.Values(session);
                for (var i = 0; i < values.Length; i++)
                {
                    _text.Bind(db, insert, i + 1, values[i]);
                }
                SqliteNative.Execute(db, insert);
            }
        }
        transaction.Commit();
    }

    private const int VisitorsPerTransaction = 500;

    public async Task DropBeforeMonthAsync(long monthStartMs, CancellationToken cancellationToken)
    {
        await using var connection = await Sessions.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The visit rollup goes with them: whole days before (in any zone), and the days around the edge are rolled up again.
        command.CommandText = """
            DELETE FROM sessions WHERE started_at < $before;
            DELETE FROM visit_rollup WHERE day < $before_day;
            INSERT INTO visit_rollup_dirty (tenant_key, from_ms, to_ms, marked_at) SELECT tenant_key, $edge_from, $edge_to, $before FROM visit_rollup_tenants;
            """;
        command.Parameters.AddWithValue("$before", monthStartMs);
        command.Parameters.AddWithValue("$before_day", monthStartMs / OffsetSegments.MsPerDay - 1);
        command.Parameters.AddWithValue("$edge_from", monthStartMs - 2 * OffsetSegments.MsPerDay);
        command.Parameters.AddWithValue("$edge_to", monthStartMs + OffsetSegments.MsPerDay);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Session>> ListAsync(long tenantKey, SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await Sessions.OpenAsync(cancellationToken);
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
        await using var connection = await Sessions.OpenAsync(cancellationToken);
        SessionRows.Row? row = null;
        var byVisitor = PerVisitor(connection, visitorIds.Distinct().ToDictionary(v => new VisitorKey(tenantKey, v), _ => 0L),
            $"SELECT {SessionRows.SessionColumns} FROM sessions WHERE tenant_key = ?1 AND visitor_id = ?2 AND started_at >= ?3",
            statement => SessionRows.ToSession(row ??= SessionRows.Row.Of(statement)));
        return byVisitor.Values.SelectMany(s => s).OrderBy(s => s.StartedAt).ThenBy(s => s.SessionId, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsOfPersonAsync(long tenantKey, IReadOnlyCollection<string> visitorIds,
        string? userId, IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken)
    {
        if (eventTypes.Count == 0)
        {
            return [];
        }
        // A visitor's events lie within their sessions: each session's time range is read by the (tenant, time)
        // index, there being none by visitor; events with the user id come by the user index.
        var windows = (await OfVisitorsAsync(tenantKey, visitorIds, cancellationToken)).Select(s => (s.VisitorId, s.StartedAt, s.EndedAt)).ToList();
        await using var connection = await eventsFile.OpenAsync(cancellationToken);
        var found = new Dictionary<string, (SessionEvent, string?)>(StringComparer.Ordinal);
        foreach (var (visitor, start, end) in windows)
        {
            await ReadEventsAsync(connection, tenantKey, eventTypes, "created_at >= $start AND created_at <= $end AND visitor_id = $visitor", command =>
            {
                command.Parameters.AddWithValue("$start", start);
                command.Parameters.AddWithValue("$end", end);
                command.Parameters.AddWithValue("$visitor", visitor);
            }, found, cancellationToken);
        }
        if (userId is not null)
        {
            await ReadEventsAsync(connection, tenantKey, eventTypes, "user_id = $user_id",
                command => command.Parameters.AddWithValue("$user_id", userId), found, cancellationToken);
        }
        return Ordered(found);
    }

    public async Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsOfTypesAsync(long tenantKey, long fromMs, long toMs,
        IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken)
    {
        if (eventTypes.Count == 0)
        {
            return [];
        }
        await using var connection = await eventsFile.OpenAsync(cancellationToken);
        var found = new Dictionary<string, (SessionEvent, string?)>(StringComparer.Ordinal);
        await ReadEventsAsync(connection, tenantKey, eventTypes, "created_at >= $start AND created_at <= $end", command =>
        {
            command.Parameters.AddWithValue("$start", fromMs);
            command.Parameters.AddWithValue("$end", toMs);
        }, found, cancellationToken);
        return Ordered(found);
    }

    /// <summary>Adds the tenant's stored events (not deleted, not bots) of these types that meet the condition, by id.</summary>
    private static async Task ReadEventsAsync(SqliteConnection connection, long tenantKey, IReadOnlyCollection<string> eventTypes, string condition,
        Action<SqliteCommand> bind, Dictionary<string, (SessionEvent, string?)> found, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {SessionRows.EventColumns} FROM marketing_events
            WHERE tenant_key = $tenant_key AND {condition} AND event_type IN ({Parameters(command, "type", eventTypes)}) AND deleted_at IS NULL AND is_bot = 0
            """;
        command.Parameters.AddWithValue("$tenant_key", tenantKey);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var row = SessionRows.Row.Of(reader);
        while (await reader.ReadAsync(cancellationToken))
        {
            var e = SessionRows.ToEvent(row);
            found[e.Id] = (e, row.Text("visitor_id"));
        }
    }

    private static List<(SessionEvent Event, string? VisitorId)> Ordered(Dictionary<string, (SessionEvent Event, string? VisitorId)> found) =>
        found.Values.OrderBy(f => f.Event.CreatedAt).ThenBy(f => f.Event.Id, StringComparer.Ordinal).ToList();

    public async Task<IReadOnlyList<string>> VisitorsOfUserAsync(long tenantKey, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await eventsFile.OpenAsync(cancellationToken);
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

    /// <summary>Runs one prepared query per visitor (an index seek each, through SQLite's own API) and collects its rows.</summary>
    private static Dictionary<VisitorKey, List<T>> PerVisitor<T>(SqliteConnection connection, IReadOnlyDictionary<VisitorKey, long> from,
        string sql, Func<sqlite3_stmt, T> read, long? fourth = null)
    {
        var db = connection.Handle!;
        var result = new Dictionary<VisitorKey, List<T>>();
        using var statement = SqliteNative.Prepare(db, sql);
        foreach (var (visitor, start) in from)
        {
            SqliteNative.Bind(db, statement, 1, visitor.TenantKey);
            SqliteNative.Bind(db, statement, 2, visitor.VisitorId);
            SqliteNative.Bind(db, statement, 3, start);
            if (fourth is { } value)
            {
                SqliteNative.Bind(db, statement, 4, value);
            }
            var rows = new List<T>();
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                rows.Add(read(statement));
            }
            raw.sqlite3_reset(statement);
            if (rc != raw.SQLITE_DONE)
            {
                throw SqliteNative.Error(db, rc);
            }
            result[visitor] = rows;
        }
        return result;
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
