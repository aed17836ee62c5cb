using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Utmost.Core.Query;
using Utmost.Events;
using Utmost.Sessions;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Sqlite;

namespace Utmost.Query;

/// <summary>Runs the query model's statements on one engine; rows come back as longs, doubles, strings and nulls.</summary>
public interface IQueryEngine
{
    /// <summary>
    /// Makes dialects for queries of one tenant (each statement wants its own: the embedded one collects parameters).
    /// With <paramref name="readsEvents"/>, ClickHouse first asks whether the tenant has deleted events at all: leaving
    /// them out means reading every event's id, a third of a scan's time when there are none to leave out.
    /// </summary>
    Task<Func<QueryDialect>> DialectsAsync(long tenantKey, bool readsEvents, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the engine gathers a funnel's step events per visitor (ClickHouse's arrays) and counts its entries itself;
    /// otherwise every step event comes back, a row an event.
    /// </summary>
    bool GathersFunnelHits { get; }

    /// <param name="timeout">How long the database may work on it; past that it stops and <see cref="TimeoutException"/> is thrown.</param>
    Task<IReadOnlyList<object?[]>> RunAsync(QueryStatement statement, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>The embedded engine: sessions in sessions.db, events in utmost.db, the two attached for queries that join them.</summary>
public sealed class SqliteQueryEngine(SqliteDatabase events, SessionsDatabase sessions) : IQueryEngine
{
    public Task<Func<QueryDialect>> DialectsAsync(long tenantKey, bool readsEvents, CancellationToken cancellationToken) =>
        Task.FromResult<Func<QueryDialect>>(() => new SqliteQueryDialect());

    public bool GathersFunnelHits => false;

    public async Task<IReadOnlyList<object?[]>> RunAsync(QueryStatement statement, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await using var connection = await OpenAsync(statement.Source, deadline.Token);
            SqliteQueryDialect.AddFunctions(connection);
            // Microsoft.Data.Sqlite does not stop a running statement when cancelled; SQLite's interrupt does.
            await using var interrupt = deadline.Token.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));
            await using var command = connection.CreateCommand();
            command.CommandText = statement.Sql;
            foreach (var (name, value) in statement.Parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }
            var rows = new List<object?[]>();
            await using var reader = await command.ExecuteReaderAsync(deadline.Token);
            while (await reader.ReadAsync(deadline.Token))
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }
                rows.Add(row);
            }
            return rows;
        }
        catch (Exception e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && e is OperationCanceledException or SqliteException)
        {
            throw new TimeoutException($"The query ran longer than {timeout.TotalSeconds:0.#} s", e);
        }
    }

    private async Task<SqliteConnection> OpenAsync(QuerySource source, CancellationToken cancellationToken)
    {
        if (source == QuerySource.Sessions)
        {
            return await sessions.Database.OpenAsync(cancellationToken);
        }
        if (source == QuerySource.Events)
        {
            return await events.OpenAsync(cancellationToken);
        }
        // A connection of its own, never pooled, so the attached file goes with it.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(events.ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var attach = connection.CreateCommand();
        attach.CommandText = "PRAGMA busy_timeout = 30000; ATTACH DATABASE $path AS visits;";
        attach.Parameters.AddWithValue("$path", sessions.Database.Path);
        await attach.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}

public sealed class SqliteQueryDialect : QueryDialect
{
    private const string MatchesFunction = "utmost_matches";
    private const string VisitorsFunction = "utmost_visitors";
    private const string BucketFunction = "utmost_visitor_bucket";
    private const string PathFunction = "utmost_url_path";

    public override string Value(string text) => Add(text);

    public override string Value(long number) => Add(number);

    private string Add(object value)
    {
        var name = "$p" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
        Parameters.Add((name, value));
        return name;
    }

    public override string CountDistinct(string expression) => $"COUNT(DISTINCT {expression})";

    public override string Contains(string expression, string needle) => $"instr({expression}, {needle}) > 0";

    public override string Matches(string expression, string pattern) => $"{MatchesFunction}({expression}, {pattern})";

    public override string NullText => "CAST(NULL AS TEXT)";

    public override string UrlPath(string expression) => $"{PathFunction}({expression})";

    protected override string PropertyOf(string propertiesColumn, string key)
    {
        var path = Value("$.\"" + key + "\"");
        // ->> gives a string's text; -> gives numbers and booleans as written in the JSON.
        return $"(CASE json_type({propertiesColumn}, {path}) WHEN 'text' THEN {propertiesColumn} ->> {path} WHEN 'null' THEN NULL "
            + $"ELSE {propertiesColumn} -> {path} END)";
    }

    public override string Month(string localMs) => $"CAST(strftime('%Y%m', ({localMs}) / 1000, 'unixepoch') AS INTEGER)";

    public override string SessionsFrom(long tenantKey, long fromMs, long toMs) =>
        $"FROM sessions WHERE tenant_key = {Value(tenantKey)} AND started_at >= {Value(fromMs)} AND started_at < {Value(toMs)}";

    public override string EventsFrom(long tenantKey, long fromMs, long toMs) =>
        $"FROM marketing_events WHERE tenant_key = {Value(tenantKey)} AND created_at >= {Value(fromMs)} AND created_at < {Value(toMs)} " +
        "AND deleted_at IS NULL AND is_bot = 0";

    public override string RollupFrom(long tenantKey, long firstDay, long lastDay) =>
        $"FROM visit_rollup WHERE tenant_key = {Value(tenantKey)} AND day >= {Value(firstDay)} AND day <= {Value(lastDay)}";

    public override string RollupVisitors() => $"{VisitorsFunction}(visitor_hashes, visitor_registers)";

    public override string EventsWithSessionsFrom(long tenantKey, long fromMs, long toMs, long lookbackMs, IReadOnlyList<string> eventColumns,
        IReadOnlyList<string> visitColumns) => $"""
        FROM marketing_events AS e JOIN visits.sessions AS s
          ON s.tenant_key = e.tenant_key AND s.visitor_id = e.visitor_id AND s.started_at <= e.created_at AND s.ended_at >= e.created_at
             AND s.started_at >= {Value(fromMs - lookbackMs)}
        WHERE e.tenant_key = {Value(tenantKey)} AND e.created_at >= {Value(fromMs)} AND e.created_at < {Value(toMs)}
          AND e.deleted_at IS NULL AND e.is_bot = 0
        """;

    public override string VisitorBucket(string visitorId, int buckets) => $"{BucketFunction}({visitorId}, {buckets.ToString(CultureInfo.InvariantCulture)})";

    public override string EventColumn(string column, bool joined) => joined ? "e." + column : column;

    public override string VisitColumn(string column, bool joined) => "s." + column;

    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    /// <summary>
    /// SQLite has no regular expressions of its own: <c>matches</c> runs .NET's non-backtracking engine, bounded in
    /// time. The rollup's visitor sketches are merged and counted here too.
    /// </summary>
    public static void AddFunctions(SqliteConnection connection)
    {
        connection.CreateFunction(MatchesFunction, (string? value, string pattern) => value is not null && Pattern(pattern).IsMatch(value),
            isDeterministic: true);
        connection.CreateAggregate<byte[]?, byte[]?, VisitorSketch?, long>(VisitorsFunction, null, (sketch, hashes, registers) =>
        {
            sketch ??= VisitorSketch.ForMerging();
            sketch.Add(hashes, registers);
            return sketch;
        }, sketch => sketch?.Count() ?? 0, isDeterministic: true);
        connection.CreateFunction(BucketFunction, (string visitorId, long buckets) => (long)(VisitorSketch.Hash(visitorId) % (ulong)buckets),
            isDeterministic: true);
        connection.CreateFunction(PathFunction, (string? url) => UrlPaths.PathOf(url), isDeterministic: true);
    }

    private static Regex Pattern(string pattern)
    {
        if (Patterns.Count > 1_000)
        {
            Patterns.Clear();
        }
        return Patterns.GetOrAdd(pattern, p => new Regex(p, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, QueryFilters.PatternTimeout));
    }
}

/// <summary>ClickHouse: events and sessions in their tables (Distributed ones on a cluster), values as literals.</summary>
public sealed class ClickHouseQueryEngine(ClickHouseClient clickHouse) : IQueryEngine
{
    // Tenants known to have deleted events: a delete is never undone (retention aside), so they are asked about once.
    private readonly ConcurrentDictionary<long, bool> _withDeletes = new();

    public async Task<Func<QueryDialect>> DialectsAsync(long tenantKey, bool readsEvents, CancellationToken cancellationToken)
    {
        var leaveOutDeleted = readsEvents && await HasDeletedEventsAsync(tenantKey, cancellationToken);
        return () => new ClickHouseQueryDialect(leaveOutDeleted);
    }

    private async Task<bool> HasDeletedEventsAsync(long tenantKey, CancellationToken cancellationToken)
    {
        if (_withDeletes.ContainsKey(tenantKey))
        {
            return true;
        }
        var rows = await clickHouse.QueryAsync(
            $"SELECT count() AS n FROM (SELECT 1 FROM {ClickHouseMigrator.DeletedEventsTable} WHERE tenant_key = {ClickHouseSql.Literal(tenantKey)} LIMIT 1)",
            cancellationToken);
        var any = rows.Count > 0 && rows[0].GetProperty("n").GetInt64() > 0;
        if (any)
        {
            _withDeletes[tenantKey] = true;
        }
        return any;
    }

    public bool GathersFunnelHits => true;

    public async Task<IReadOnlyList<object?[]>> RunAsync(QueryStatement statement, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IReadOnlyList<JsonElement> rows;
        try
        {
            rows = await clickHouse.QueryAsync(statement.Sql, cancellationToken, maxExecutionSeconds: Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)));
        }
        catch (ClickHouseException e) when (e.Message.Contains("TIMEOUT_EXCEEDED", StringComparison.Ordinal)
            || e.Message.Contains("Timeout exceeded", StringComparison.OrdinalIgnoreCase))
        {
            throw new TimeoutException($"The query ran longer than {timeout.TotalSeconds:0.#} s", e);
        }
        return rows.Select(row => row.EnumerateObject()
            .Select(p => p.Name == QuerySqlBuilder.VisitorsAlias && p.Value.ValueKind == JsonValueKind.Array ? Visitors(p.Value) : ValueOf(p.Value))
            .ToArray()).ToList();
    }

    /// <summary>The count of the rollup's sketches merged by <see cref="ClickHouseQueryDialect.RollupVisitors"/>: (hashes, registers).</summary>
    private static object Visitors(JsonElement merged)
    {
        var sketch = VisitorSketch.ForMerging();
        foreach (var hash in merged[0].EnumerateArray())
        {
            sketch.AddHash(hash.GetUInt64());
        }
        sketch.AddRegisters(merged[1].EnumerateArray().Select(r => r.GetByte()).ToArray());
        return sketch.Count();
    }

    private static object? ValueOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out var number) => number,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(ValueOf).ToArray(),
        _ => value.GetRawText(),
    };
}

/// <param name="leaveOutDeleted">Whether the tenant has deleted events to leave out (see <see cref="IQueryEngine.DialectsAsync"/>).</param>
public sealed class ClickHouseQueryDialect(bool leaveOutDeleted) : QueryDialect
{
    public override string Value(string text) => ClickHouseSql.Literal(text);

    public override string Value(long number) => ClickHouseSql.Literal(number);

    public override string CountDistinct(string expression) => $"uniqExact({expression})";

    public override string Contains(string expression, string needle) => $"position({expression}, {needle}) > 0";

    public override string Matches(string expression, string pattern) => $"match({expression}, {pattern})";

    public override string NullText => "CAST(NULL AS Nullable(String))";

    /// <summary>
    /// The steps of <see cref="UrlPaths.PathOf"/> in SQL: cut at '?' and '#', then from the first '/' after "://".
    /// Arrays may not be Nullable in 18.16, so the text is made not-null first and NULL given back after.
    /// </summary>
    public override string UrlPath(string expression)
    {
        var cut = $"splitByChar('#', splitByChar('?', assumeNotNull({expression}))[1])[1]";
        var rest = $"substring({cut}, position({cut}, '://') + 3)";
        var path = $"if(position({cut}, '://') > 0, if(position({rest}, '/') > 0, substring({rest}, position({rest}, '/')), ''), {cut})";
        return $"if(isNull({expression}), {NullText}, if({path} = '', '/', {path}))";
    }

    protected override string PropertyOf(string propertiesColumn, string key)
    {
        // ClickHouse 18.16 has only the visitParam functions: the raw JSON of the value, unquoted when a string.
        var name = Value(key);
        var raw = $"visitParamExtractRaw({propertiesColumn}, {name})";
        return $"multiIf({raw} IN ('', 'null'), NULL, substring({raw}, 1, 1) = '\"', visitParamExtractString({propertiesColumn}, {name}), {raw})";
    }

    public override string Month(string localMs) => $"toYYYYMM(toDateTime(intDiv({localMs}, 1000)), 'UTC')";

    public override string Signed(string column) => $"toInt64({column})";

    public override string Div(string expression, long divisor) => $"intDiv({expression}, {divisor.ToString(CultureInfo.InvariantCulture)})";

    public override string SessionsFrom(long tenantKey, long fromMs, long toMs) =>
        $"FROM {ClickHouseMigrator.SessionsTable} FINAL WHERE tenant_key = {Value(tenantKey)} AND is_deleted = 0 " +
        $"AND started_at >= {Value(fromMs)} AND started_at < {Value(toMs)}";

    public override string EventsFrom(long tenantKey, long fromMs, long toMs) =>
        $"FROM {ClickHouseMigrator.EventsTable} WHERE {EventsCondition(tenantKey, fromMs, toMs)}";

    /// <summary>Each day's latest rollup (see <see cref="ClickHouseVisitRollupStore"/>), without the row that only carries its version.</summary>
    public override string RollupFrom(long tenantKey, long firstDay, long lastDay)
    {
        var days = $"tenant_key = {Value(tenantKey)} AND day >= {Value(firstDay)} AND day <= {Value(lastDay)}";
        return $"FROM {ClickHouseMigrator.VisitRollupTable} WHERE {days} AND combination != '' " +
            $"AND (day, version) GLOBAL IN (SELECT day, max(version) FROM {ClickHouseMigrator.VisitRollupTable} WHERE {days} GROUP BY day)";
    }

    public override string RollupVisitors() => "tuple(groupUniqArrayArray(visitor_hashes), maxForEach(visitor_registers))";

    private string EventsCondition(long tenantKey, long fromMs, long toMs) =>
        $"tenant_key = {Value(tenantKey)} AND created_at >= {Value(fromMs)} AND created_at < {Value(toMs)} AND is_bot = 0" +
        (leaveOutDeleted ? $" AND {ClickHouseEventStore.NotDeleted(Value(tenantKey))}" : "");

    /// <summary>
    /// One JOIN (all ClickHouse 18.16 allows) on the visitor, then the time condition; GLOBAL because events are sharded
    /// by id and sessions by visitor. Session columns come through as s_&lt;name&gt;.
    /// </summary>
    public override string EventsWithSessionsFrom(long tenantKey, long fromMs, long toMs, long lookbackMs, IReadOnlyList<string> eventColumns,
        IReadOnlyList<string> visitColumns) => $"""
        FROM (
            SELECT assumeNotNull(visitor_id) AS visitor, {string.Join(", ", eventColumns.Where(c => c != "visitor_id"))}
            FROM {ClickHouseMigrator.EventsTable} WHERE {EventsCondition(tenantKey, fromMs, toMs)} AND isNotNull(visitor_id)
        ) GLOBAL ALL INNER JOIN (
            SELECT visitor_id AS visitor, started_at AS s_started_at, ended_at AS s_ended_at, {string.Join(", ", visitColumns.Select(c => $"{c} AS s_{c}"))}
            FROM {ClickHouseMigrator.SessionsTable} FINAL
            WHERE tenant_key = {Value(tenantKey)} AND is_deleted = 0 AND started_at >= {Value(fromMs - lookbackMs)} AND started_at < {Value(toMs)}
        ) USING visitor
        WHERE created_at >= s_started_at AND created_at <= s_ended_at
        """;

    public override string VisitorBucket(string visitorId, int buckets) => $"cityHash64({visitorId}) % {buckets.ToString(CultureInfo.InvariantCulture)}";

    public override string EventColumn(string column, bool joined) => joined && column == "visitor_id" ? "visitor" : column;

    public override string VisitColumn(string column, bool joined) => "s_" + column;
}
