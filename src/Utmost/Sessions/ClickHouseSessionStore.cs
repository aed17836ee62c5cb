using System.Buffers;
using System.Text.Json;
using Utmost.Core.Sessions;
using Utmost.Events;
using Utmost.Storage.ClickHouse;

namespace Utmost.Sessions;

/// <summary>
/// Sessions in ClickHouse, built from the events there, so every instance's events count. A rebuild adds rows with
/// a higher version (and a row with is_deleted = 1 for a session that no longer exists); reads take each session's
/// latest row with FINAL. Visitors are looked up in chunks, every value a literal.
/// </summary>
public sealed class ClickHouseSessionStore(ClickHouseClient clickHouse) : ISessionStore
{
    private const int VisitorsPerQuery = 1_000;
    private const string Table = ClickHouseMigrator.SessionsTable;

    public async Task<Dictionary<VisitorKey, List<(long Start, long End)>>> SessionSpansAsync(IReadOnlyDictionary<VisitorKey, long> since,
        CancellationToken cancellationToken)
    {
        var spans = since.Keys.ToDictionary(v => v, _ => new List<(long, long)>());
        foreach (var stored in await StoredSessionsAsync(since, cancellationToken))
        {
            spans[stored.Visitor].Add((stored.StartedAt, stored.EndedAt));
        }
        return spans;
    }

    /// <summary>The visitors' stored sessions (not deleted) that began at or after each one's time.</summary>
    private async Task<List<(VisitorKey Visitor, string SessionId, long StartedAt, long EndedAt)>> StoredSessionsAsync(
        IReadOnlyDictionary<VisitorKey, long> since, CancellationToken cancellationToken)
    {
        var sessions = new List<(VisitorKey, string, long, long)>();
        foreach (var (tenantKey, chunk) in Chunks(since))
        {
            var rows = await clickHouse.QueryAsync($"""
                SELECT visitor_id, session_id, started_at, ended_at FROM {Table} FINAL
                WHERE tenant_key = {ClickHouseSql.Literal(tenantKey)} AND visitor_id IN ({InList(chunk)})
                  AND started_at >= {ClickHouseSql.Literal(chunk.Min(v => since[v]))} AND is_deleted = 0
                """, cancellationToken);
            foreach (var row in rows)
            {
                var visitor = new VisitorKey(tenantKey, row.GetProperty("visitor_id").GetString()!);
                var startedAt = row.GetProperty("started_at").GetInt64();
                if (startedAt >= since[visitor])
                {
                    sessions.Add((visitor, row.GetProperty("session_id").GetString()!, startedAt, row.GetProperty("ended_at").GetInt64()));
                }
            }
        }
        return sessions;
    }

    /// <summary>ClickHouse knows nothing of the spool's rowids: every instance's events are read.</summary>
    public bool ReadsUpToLocalRowid => false;

    public async Task<Dictionary<VisitorKey, List<SessionEvent>>> EventsAsync(IReadOnlyDictionary<VisitorKey, long> from, long? localRowidAtMost,
        CancellationToken cancellationToken)
    {
        var events = from.Keys.ToDictionary(v => v, _ => new List<SessionEvent>());
        foreach (var (tenantKey, chunk) in Chunks(from))
        {
            var tenant = ClickHouseSql.Literal(tenantKey);
            var rows = await clickHouse.QueryAsync($"""
                SELECT {SessionRows.EventColumns} FROM {ClickHouseMigrator.EventsTable}
                WHERE tenant_key = {tenant} AND visitor_id IN ({InList(chunk)}) AND created_at >= {ClickHouseSql.Literal(chunk.Min(v => from[v]))}
                  AND is_bot = 0 AND {ClickHouseEventStore.NotDeleted(tenant)}
                ORDER BY visitor_id, created_at, id
                """, cancellationToken);
            foreach (var row in rows)
            {
                var e = SessionRows.ToEvent(SessionRows.Row.Of(row));
                var visitor = new VisitorKey(tenantKey, row.GetProperty("visitor_id").GetString()!);
                if (e.CreatedAt >= from[visitor])
                {
                    events[visitor].Add(e);
                }
            }
        }
        return events;
    }

    public async Task ReplaceAsync(IReadOnlyDictionary<VisitorKey, long> from, IReadOnlyList<Session> sessions, long version, CancellationToken cancellationToken)
    {
        var kept = sessions.Select(s => (s.TenantKey, s.VisitorId, s.SessionId)).ToHashSet();
        var body = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(body))
        {
            void Row(Action write)
            {
                writer.WriteStartObject();
                write();
                writer.WriteNumber("version", version);
                writer.WriteEndObject();
                writer.Flush();
                body.Write("\n"u8);
                writer.Reset();
            }
            // Sessions there now that the rebuild did not produce: a late event merged them into another.
            foreach (var (visitor, sessionId, startedAt, _) in await StoredSessionsAsync(from, cancellationToken))
            {
                if (!kept.Contains((visitor.TenantKey, visitor.VisitorId, sessionId)))
                {
                    Row(() =>
                    {
                        writer.WriteNumber("tenant_key", visitor.TenantKey);
                        writer.WriteString("visitor_id", visitor.VisitorId);
                        writer.WriteString("session_id", sessionId);
                        writer.WriteNumber("started_at", startedAt);
                        writer.WriteNumber("is_deleted", 1);
                    });
                }
            }
            foreach (var session in sessions)
            {
                Row(() =>
                {
                    var values = SessionRows.Values(session);
                    for (var i = 0; i < values.Length; i++)
                    {
                        var name = SessionRows.SessionColumnNames[i];
                        switch (values[i])
                        {
                            case null: writer.WriteNull(name); break;
                            case long number: writer.WriteNumber(name, number); break;
                            case var text: writer.WriteString(name, (string)text); break;
                        }
                    }
                    writer.WriteNumber("is_deleted", 0);
                });
            }
        }
        if (body.WrittenCount > 0)
        {
            await clickHouse.InsertAsync(Table, body.WrittenMemory, cancellationToken);
        }
    }

    /// <summary>Nothing to do: the sessions table is partitioned by month, and retention drops its partitions with the events'.</summary>
    public Task DropBeforeMonthAsync(long monthStartMs, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<Session>> ListAsync(long tenantKey, SessionFilter filter, CancellationToken cancellationToken)
    {
        var conditions = new List<string> { $"tenant_key = {ClickHouseSql.Literal(tenantKey)}", "is_deleted = 0" };
        if (filter.FromMs is { } from)
        {
            conditions.Add($"started_at >= {ClickHouseSql.Literal(from)}");
        }
        if (filter.ToMs is { } to)
        {
            conditions.Add($"started_at <= {ClickHouseSql.Literal(to)}");
        }
        if (filter.Channel is { } channel)
        {
            conditions.Add($"lowerUTF8(channel) = lowerUTF8({ClickHouseSql.Literal(channel)})");
        }
        if (filter.VisitorId is { } visitor)
        {
            conditions.Add($"visitor_id = {ClickHouseSql.Literal(visitor)}");
        }
        if (filter.Converted is { } converted)
        {
            conditions.Add(converted ? "conversions > 0" : "conversions = 0");
        }
        return await QuerySessionsAsync($"""
            SELECT {SessionRows.SessionColumns} FROM {Table} FINAL WHERE {string.Join(" AND ", conditions)}
            ORDER BY started_at DESC, session_id DESC LIMIT {ClickHouseSql.Literal(filter.Offset)}, {ClickHouseSql.Literal(filter.Limit)}
            """, cancellationToken);
    }

    public async Task<IReadOnlyList<Session>> OfVisitorsAsync(long tenantKey, IReadOnlyCollection<string> visitorIds, CancellationToken cancellationToken)
    {
        if (visitorIds.Count == 0)
        {
            return [];
        }
        return await QuerySessionsAsync($"""
            SELECT {SessionRows.SessionColumns} FROM {Table} FINAL
            WHERE tenant_key = {ClickHouseSql.Literal(tenantKey)} AND visitor_id IN ({InList(visitorIds)}) AND is_deleted = 0
            ORDER BY started_at, session_id
            """, cancellationToken);
    }

    public async Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsOfPersonAsync(long tenantKey, IReadOnlyCollection<string> visitorIds,
        string? userId, IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken)
    {
        if (eventTypes.Count == 0)
        {
            return [];
        }
        var who = new List<string>();
        if (visitorIds.Count > 0)
        {
            who.Add($"visitor_id IN ({InList(visitorIds)})");
        }
        if (userId is not null)
        {
            who.Add($"user_id = {ClickHouseSql.Literal(userId)}");
        }
        if (who.Count == 0)
        {
            return [];
        }
        return await EventsWhereAsync(tenantKey, string.Join(" OR ", who), eventTypes, cancellationToken);
    }

    public async Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsOfTypesAsync(long tenantKey, long fromMs, long toMs,
        IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken) =>
        eventTypes.Count == 0
            ? []
            : await EventsWhereAsync(tenantKey, $"created_at >= {ClickHouseSql.Literal(fromMs)} AND created_at <= {ClickHouseSql.Literal(toMs)}",
                eventTypes, cancellationToken);

    /// <summary>The tenant's stored events (not deleted, not bots) of these types that meet the condition, oldest first.</summary>
    private async Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsWhereAsync(long tenantKey, string condition,
        IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken)
    {
        var tenant = ClickHouseSql.Literal(tenantKey);
        var rows = await clickHouse.QueryAsync($"""
            SELECT {SessionRows.EventColumns} FROM {ClickHouseMigrator.EventsTable}
            WHERE tenant_key = {tenant} AND ({condition}) AND event_type IN ({InList(eventTypes)})
              AND is_bot = 0 AND {ClickHouseEventStore.NotDeleted(tenant)}
            ORDER BY created_at, id
            """, cancellationToken);
        return rows.Select(r => (SessionRows.ToEvent(SessionRows.Row.Of(r)), SessionRows.Row.Of(r).Text("visitor_id"))).ToList();
    }

    public async Task<IReadOnlyList<string>> VisitorsOfUserAsync(long tenantKey, string userId, CancellationToken cancellationToken)
    {
        var tenant = ClickHouseSql.Literal(tenantKey);
        var rows = await clickHouse.QueryAsync($"""
            SELECT DISTINCT assumeNotNull(visitor_id) AS visitor FROM {ClickHouseMigrator.EventsTable}
            WHERE tenant_key = {tenant} AND user_id = {ClickHouseSql.Literal(userId)} AND isNotNull(visitor_id) AND {ClickHouseEventStore.NotDeleted(tenant)}
            """, cancellationToken);
        return rows.Select(r => r.GetProperty("visitor").GetString()!).ToList();
    }

    /// <summary>Sessions made as their rows arrive, as text: a month of a busy site's sessions is too much to hold as JSON first.</summary>
    private async Task<IReadOnlyList<Session>> QuerySessionsAsync(string sql, CancellationToken cancellationToken)
    {
        var sessions = new List<Session>();
        await foreach (var row in clickHouse.QueryTabSeparatedAsync(sql, cancellationToken))
        {
            sessions.Add(SessionRows.ToSession(SessionRows.Row.Of(row)));
        }
        return sessions;
    }

    private static IEnumerable<(long TenantKey, VisitorKey[] Chunk)> Chunks(IReadOnlyDictionary<VisitorKey, long> visitors) =>
        visitors.Keys.GroupBy(v => v.TenantKey).SelectMany(g => g.Chunk(VisitorsPerQuery).Select(chunk => (g.Key, chunk)));

    private static string InList(IEnumerable<VisitorKey> visitors) => InList(visitors.Select(v => v.VisitorId));

    private static string InList(IEnumerable<string> values) => string.Join(", ", values.Select(ClickHouseSql.Literal));
}
