using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Utmost.Core.Metrics;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Sqlite;

namespace Utmost.Events;

/// <summary>
/// Ships events from the local SQLite spool to ClickHouse exactly once, in rowid order and in batches, retrying
/// with back-off while ClickHouse is away. After any failure (or a restart) the outcome of the last insert is
/// unknown, so the next batch first asks ClickHouse which of its events already arrived and sends only the rest.
/// The batch's rollups are added to the spool's running totals in the same transaction that moves the watermark,
/// and the totals that changed are published to ClickHouse, where publishing one twice changes nothing.
/// </summary>
public sealed partial class ClickHouseShipper(SqliteDatabase spool, Sessions.SessionsDatabase sessions, ClickHouseClient clickHouse, TimeProvider clock,
    ILogger<ClickHouseShipper> logger)
    : BackgroundService
{
    private const int BatchRows = 20_000;
    private const int LandedCheckIds = 2_000;
    private const string Watermark = "shipped_rowid";
    private const string PublishedVersion = "published_rollup_version";
    private const string SpoolId = "spool_id";
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Shipped rows stay in the spool this long, so a client retry with the same event_id is still recognised.</summary>
    public static readonly TimeSpan DedupeWindow = TimeSpan.FromDays(7);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _backlog;

    // Whether the last insert may have landed without us knowing: true at start, since the process before may
    // have died mid-insert.
    private bool _uncertain = true;

    /// <summary>Events acknowledged but not yet in ClickHouse, and soft deletes not yet there.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    /// <summary>Counts newly spooled events at once, so the spool bound holds even while shipping backs off.</summary>
    public void NoteSpooled(int events) => Interlocked.Add(ref _backlog, events);

    /// <summary>Ships everything spooled so far; readers call this so answers include every acknowledged event.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // Bounded by what was waiting when the read began: ingestion that goes on meanwhile cannot keep a reader here.
        var more = await ShipAsync(cancellationToken);
        for (var rounds = Backlog / BatchRows + 2; more && rounds > 0; rounds--)
        {
            more = await ShipAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        var lastPrune = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var more = await ShipAsync(stoppingToken);
                backoff = TimeSpan.Zero;
                if (clock.GetUtcNow() - lastPrune > TimeSpan.FromMinutes(10))
                {
                    await PruneAsync(stoppingToken);
                    lastPrune = clock.GetUtcNow();
                }
                if (!more)
                {
                    await Task.Delay(Idle, stoppingToken);
                }
            }
            catch (Exception e) when (e is ClickHouseException or SqliteException or HttpRequestException)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                Log.ShippingFailed(logger, e, Backlog, backoff.TotalSeconds);
                await Task.Delay(backoff, stoppingToken);
            }
        }
    }

    /// <summary>One round: a batch of events, the queued soft deletes, then the changed rollups; true when events remain.</summary>
    private async Task<bool> ShipAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await spool.OpenAsync(cancellationToken);
            var watermark = await StateAsync(connection, Watermark, cancellationToken);
            var newest = await SqliteNative.ScalarAsync(connection, "SELECT COALESCE(MAX(rowid), 0) FROM marketing_events", cancellationToken);
            var deletes = await SqliteNative.ScalarAsync(connection, "SELECT COUNT(*) FROM spool_deleted_events", cancellationToken);
            Interlocked.Exchange(ref _backlog, Math.Max(0, newest - watermark) + deletes);
            var more = false;
            if (newest > watermark)
            {
                more = await ShipEventsAsync(connection, watermark, cancellationToken) < newest;
            }
            if (deletes > 0)
            {
                await ShipDeletesAsync(connection, cancellationToken);
            }
            await PublishRollupsAsync(connection, cancellationToken);
            return more;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ships the next batch after <paramref name="watermark"/>; returns the new watermark.</summary>
    private async Task<long> ShipEventsAsync(SqliteConnection connection, long watermark, CancellationToken cancellationToken)
    {
        var batch = ReadBatch(connection, watermark);
        var landed = _uncertain ? await LandedAsync(batch, cancellationToken) : [];
        _uncertain = true;
        var body = batch.Body(landed);
        if (body.Length > 0)
        {
            await clickHouse.InsertRowBinaryAsync(ClickHouseMigrator.EventsTable, InsertColumns, body, cancellationToken);
        }
        await using (var transaction = connection.BeginTransaction(deferred: false))
        {
            SqliteRollupWriter.AddToSpool(connection, batch.Rollup, version: batch.LastRowid);
            await SetStateAsync(transaction, Watermark, batch.LastRowid, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        _uncertain = false;
        return batch.LastRowid;
    }

    /// <summary>The ids of a batch that ClickHouse already holds (from an insert whose answer was lost).</summary>
    private async Task<HashSet<string>> LandedAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        var landed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in batch.Index.Chunk(LandedCheckIds))
        {
            var sql = $"""
                SELECT id FROM {ClickHouseMigrator.EventsTable}
                WHERE tenant_key IN ({string.Join(", ", chunk.Select(r => r.TenantKey).Distinct().Select(ClickHouseSql.Literal))})
                  AND created_at >= {ClickHouseSql.Literal(chunk.Min(r => r.CreatedAt))} AND created_at <= {ClickHouseSql.Literal(chunk.Max(r => r.CreatedAt))}
                  AND id IN ({string.Join(", ", chunk.Select(r => ClickHouseSql.Literal(r.Id)))})
                """;
            foreach (var row in await clickHouse.QueryAsync(sql, cancellationToken))
            {
                landed.Add(row.GetProperty("id").GetString()!);
            }
        }
        return landed;
    }

    /// <summary>Soft deletes go to deleted_events, a ReplacingMergeTree keyed by event: shipping one twice is harmless.</summary>
    private async Task ShipDeletesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT seq, tenant_key, id, created_at, event_type, utm_source, utm_medium, utm_campaign, deleted_at, is_bot
            FROM spool_deleted_events ORDER BY seq LIMIT $limit
            """;
        select.Parameters.AddWithValue("$limit", BatchRows);
        var (body, lastSeq) = await ToJsonEachRowAsync(select, cancellationToken);
        await clickHouse.InsertAsync(ClickHouseMigrator.DeletedEventsTable, body, cancellationToken);
        await using var done = connection.CreateCommand();
        done.CommandText = "DELETE FROM spool_deleted_events WHERE seq <= $seq";
        done.Parameters.AddWithValue("$seq", lastSeq);
        await done.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Publishes the running totals changed since the last publish, stamped with this spool's id.</summary>
    private async Task PublishRollupsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var published = await StateAsync(connection, PublishedVersion, cancellationToken);
        var newest = await SqliteNative.ScalarAsync(connection, """
            SELECT MAX(v) FROM (SELECT COALESCE(MAX(version), 0) AS v FROM spool_rollup_counts
                                UNION ALL SELECT COALESCE(MAX(version), 0) FROM spool_rollup_dimensions)
            """, cancellationToken);
        if (newest <= published)
        {
            return;
        }
        var spoolId = await SpoolIdAsync(connection, cancellationToken);
        foreach (var (table, columns) in new[]
        {
            (ClickHouseMigrator.RollupCountsTable, "tenant_key, bucket, event_type"),
            (ClickHouseMigrator.RollupDimensionsTable, "tenant_key, grain, bucket, dimension, value, event_type"),
        })
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT version, {columns}, $spool AS spool, events, version FROM spool_{table} WHERE version > $published";
            select.Parameters.AddWithValue("$spool", spoolId);
            select.Parameters.AddWithValue("$published", published);
            var (body, _) = await ToJsonEachRowAsync(select, cancellationToken);
            if (body.Length > 0)
            {
                await clickHouse.InsertAsync(table, body, cancellationToken);
            }
        }
        await using var transaction = connection.BeginTransaction(deferred: false);
        await SetStateAsync(transaction, PublishedVersion, newest, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>How each spooled column travels to ClickHouse, in <see cref="SqliteEventStore.Columns"/> order.</summary>
    private enum ColumnKind { Text, NullableText, UInt64, NullableInt64, UInt8, AlwaysNull }

    private static readonly (string Name, ColumnKind Kind)[] EventColumns = SqliteEventStore.Columns
        .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(name => (name, name switch
        {
            "id" or "event_type" or "lead_source" or "properties" or "metadata" => ColumnKind.Text,
            "tenant_key" or "created_at" or "received_at" => ColumnKind.UInt64,
            "revenue_micros" => ColumnKind.NullableInt64,
            "user_id_is_number" or "lead_id_is_number" or "is_bot" => ColumnKind.UInt8,
            // Deletes travel apart, to deleted_events: every event is shipped as it was stored.
            "deleted_at" => ColumnKind.AlwaysNull,
            _ => ColumnKind.NullableText,
        }))
        .ToArray();

    private static readonly string InsertColumns = string.Join(", ", EventColumns.Select(c => c.Name)) + ", version";

    /// <summary>
    /// Spooled events after the watermark, as RowBinary rows, with their rollups. Read through SQLite's own API, so
    /// text goes from the page cache to the request as UTF-8 bytes, never becoming .NET strings on the way.
    /// </summary>
    private static EventBatch ReadBatch(SqliteConnection connection, long watermark)
    {
        var db = connection.Handle!;
        using var select = SqliteNative.Prepare(db, $"SELECT rowid, {SqliteEventStore.Columns} FROM marketing_events WHERE rowid > ?1 ORDER BY rowid LIMIT ?2");
        raw.sqlite3_bind_int64(select, 1, watermark);
        raw.sqlite3_bind_int(select, 2, BatchRows);
        int Ordinal(string column) => Array.FindIndex(EventColumns, c => c.Name == column) + 1;
        int id = Ordinal("id"), tenantKey = Ordinal("tenant_key"), createdAt = Ordinal("created_at"), eventType = Ordinal("event_type");
        int source = Ordinal("utm_source"), medium = Ordinal("utm_medium"), campaign = Ordinal("utm_campaign"), isBot = Ordinal("is_bot");
        string? Text(int ordinal) => raw.sqlite3_column_type(select, ordinal) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(select, ordinal).utf8_to_string();
        var batch = new EventBatch { LastRowid = watermark };
        var rows = batch.Rows;
        int rc;
        while ((rc = raw.sqlite3_step(select)) == raw.SQLITE_ROW)
        {
            batch.LastRowid = raw.sqlite3_column_int64(select, 0);
            var start = rows.Length;
            for (var i = 0; i < EventColumns.Length; i++)
            {
                var ordinal = i + 1;
                switch (EventColumns[i].Kind)
                {
                    case ColumnKind.Text:
                        rows.String(raw.sqlite3_column_blob(select, ordinal));
                        break;
                    case ColumnKind.NullableText:
                        var isNull = raw.sqlite3_column_type(select, ordinal) == raw.SQLITE_NULL;
                        rows.IsNull(isNull);
                        if (!isNull)
                        {
                            rows.String(raw.sqlite3_column_blob(select, ordinal));
                        }
                        break;
                    case ColumnKind.UInt64: rows.UInt64((ulong)raw.sqlite3_column_int64(select, ordinal)); break;
                    case ColumnKind.NullableInt64:
                        var noValue = raw.sqlite3_column_type(select, ordinal) == raw.SQLITE_NULL;
                        rows.IsNull(noValue);
                        if (!noValue)
                        {
                            // Int64 and UInt64 share their little-endian bytes.
                            rows.UInt64(unchecked((ulong)raw.sqlite3_column_int64(select, ordinal)));
                        }
                        break;
                    case ColumnKind.UInt8: rows.UInt8((byte)raw.sqlite3_column_int64(select, ordinal)); break;
                    case ColumnKind.AlwaysNull: rows.IsNull(true); break;
                }
            }
            rows.UInt64(0); // version
            var row = new BatchRow(Text(id)!, raw.sqlite3_column_int64(select, tenantKey), raw.sqlite3_column_int64(select, createdAt), start, rows.Length);
            batch.Index.Add(row);
            if (raw.sqlite3_column_int64(select, isBot) == 0)
            {
                // Bots are stored but left out of metrics, so out of the rollups too.
                batch.Rollup.Add(row.TenantKey, row.CreatedAt, Text(eventType)!, Text(source), Text(medium), Text(campaign));
            }
        }
        return rc == raw.SQLITE_DONE ? batch : throw SqliteNative.Error(db, rc);
    }

    /// <summary>Rows of a query as JSONEachRow. The first column is a sequence number: left out of the rows, its last value returned.</summary>
    private static async Task<(ReadOnlyMemory<byte> Body, long Last)> ToJsonEachRowAsync(SqliteCommand select, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        long last = 0;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        using var writer = new Utf8JsonWriter(buffer);
        while (await reader.ReadAsync(cancellationToken))
        {
            last = reader.GetInt64(0);
            writer.WriteStartObject();
            for (var i = 1; i < reader.FieldCount; i++)
            {
                WriteColumn(writer, reader, i);
            }
            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);
            writer.Reset();
        }
        return (buffer.WrittenMemory, last);
    }

    private static void WriteColumn(Utf8JsonWriter writer, SqliteDataReader reader, int i)
    {
        var name = reader.GetName(i);
        if (reader.IsDBNull(i))
        {
            writer.WriteNull(name);
        }
        else if (reader.GetFieldType(i) == typeof(long))
        {
            writer.WriteNumber(name, reader.GetInt64(i));
        }
        else
        {
            writer.WriteString(name, reader.GetString(i));
        }
    }

    /// <summary>Drops shipped rows older than the dedupe window, so the spool stays small.</summary>
    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        // Only rows the session builder is done with, too.
        long sessioned;
        await using (var state = await sessions.Database.OpenAsync(cancellationToken))
        {
            sessioned = await SqliteNative.ScalarAsync(state, $"SELECT COALESCE((SELECT value FROM builder_state WHERE name = '{Sessions.SessionBuilder.Watermark}'), 0)", cancellationToken);
        }
        await using var connection = await spool.OpenAsync(cancellationToken);
        await using var prune = connection.CreateCommand();
        // In slices: after an outage millions of rows may be due, and one DELETE of them all would hold the write lock
        // for longer than other writers wait (they failed with "database is locked" in the 10M bench).
        prune.CommandText = $"""
            DELETE FROM marketing_events WHERE rowid IN (
                SELECT rowid FROM marketing_events
                WHERE rowid <= MIN(COALESCE((SELECT value FROM spool_state WHERE name = $name), 0), $sessioned) AND received_at < $before
                ORDER BY rowid LIMIT {PruneSlice})
            """;
        prune.Parameters.AddWithValue("$sessioned", sessioned);
        prune.Parameters.AddWithValue("$name", Watermark);
        prune.Parameters.AddWithValue("$before", (clock.GetUtcNow() - DedupeWindow).ToUnixTimeMilliseconds());
        while (await prune.ExecuteNonQueryAsync(cancellationToken) == PruneSlice)
        {
        }
    }

    private const int PruneSlice = 20_000;

    /// <summary>This spool's id in ClickHouse's rollups: random, made once per data directory.</summary>
    private static async Task<long> SpoolIdAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var create = connection.CreateCommand();
        create.CommandText = "INSERT INTO spool_state (name, value) VALUES ($name, $value) ON CONFLICT (name) DO NOTHING";
        create.Parameters.AddWithValue("$name", SpoolId);
        create.Parameters.AddWithValue("$value", Random.Shared.NextInt64(1, long.MaxValue));
        await create.ExecuteNonQueryAsync(cancellationToken);
        return await StateAsync(connection, SpoolId, cancellationToken);
    }

    private static async Task<long> StateAsync(SqliteConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE((SELECT value FROM spool_state WHERE name = $name), 0)";
        command.Parameters.AddWithValue("$name", name);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task SetStateAsync(SqliteTransaction transaction, string name, long value, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO spool_state (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$value", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private readonly record struct BatchRow(string Id, long TenantKey, long CreatedAt, int Start, int End);

    /// <summary>A batch read from the spool: its rows in RowBinary, where each event's row lies in it, and their rollups.</summary>
    private sealed class EventBatch
    {
        public RowBinaryWriter Rows { get; } = new();
        public List<BatchRow> Index { get; } = [];
        public RollupCounter Rollup { get; } = new();
        public long LastRowid { get; set; }

        /// <summary>The rows of the events not in <paramref name="landed"/>.</summary>
        public ReadOnlyMemory<byte> Body(HashSet<string> landed)
        {
            if (landed.Count == 0)
            {
                return Rows.Written;
            }
            var rest = new ArrayBufferWriter<byte>();
            foreach (var row in Index.Where(r => !landed.Contains(r.Id)))
            {
                rest.Write(Rows.Written.Span[row.Start..row.End]);
            }
            return rest.WrittenMemory;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Shipping events to ClickHouse failed ({Backlog} waiting); retrying in {Seconds} s")]
        public static partial void ShippingFailed(ILogger logger, Exception exception, long backlog, double seconds);
    }
}
