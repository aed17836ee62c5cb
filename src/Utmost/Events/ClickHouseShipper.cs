using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Sqlite;

namespace Utmost.Events;

/// <summary>
/// Ships events from the local SQLite spool to ClickHouse in rowid order, in batches, retrying with back-off
/// while ClickHouse is away. Shipping the same rows twice is harmless: ClickHouse keeps one row per event
/// (ReplacingMergeTree, read with FINAL), so the watermark is advanced only after ClickHouse accepted a batch.
/// </summary>
public sealed partial class ClickHouseShipper(SqliteDatabase spool, ClickHouseClient clickHouse, TimeProvider clock, ILogger<ClickHouseShipper> logger)
    : BackgroundService
{
    private const int BatchRows = 20_000;
    private const string Watermark = "shipped_rowid";
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Shipped rows stay in the spool this long, so a client retry with the same event_id is still recognised.</summary>
    public static readonly TimeSpan DedupeWindow = TimeSpan.FromDays(7);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _backlog;

    /// <summary>Events acknowledged but not yet in ClickHouse.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    /// <summary>Counts newly spooled events at once, so the spool bound holds even while shipping backs off.</summary>
    public void NoteSpooled(int events) => Interlocked.Add(ref _backlog, events);

    /// <summary>Ships everything spooled so far; readers call this so answers include every acknowledged event.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // Bounded by what was waiting when the read began: ingestion that goes on meanwhile cannot keep a reader here.
        var more = await ShipBatchAsync(cancellationToken);
        for (var rounds = Backlog / BatchRows + 2; more && rounds > 0; rounds--)
        {
            more = await ShipBatchAsync(cancellationToken);
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
                var more = await ShipBatchAsync(stoppingToken);
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

    /// <summary>Ships one batch (new rows, then queued soft deletes); false when there was nothing left.</summary>
    private async Task<bool> ShipBatchAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await spool.OpenAsync(cancellationToken);
            var watermark = await ScalarAsync(connection, "SELECT COALESCE((SELECT value FROM spool_state WHERE name = $name), 0)", cancellationToken);
            var newest = await ScalarAsync(connection, "SELECT COALESCE(MAX(rowid), 0) FROM marketing_events", cancellationToken);
            var deletes = await ScalarAsync(connection, "SELECT COUNT(*) FROM spool_deletes", cancellationToken);
            Interlocked.Exchange(ref _backlog, Math.Max(0, newest - watermark) + deletes);
            if (newest > watermark)
            {
                var (body, lastRowid) = await ReadRowsAsync(connection, "rowid > $after ORDER BY rowid LIMIT $limit", watermark, cancellationToken);
                await clickHouse.InsertAsync("marketing_events", body, cancellationToken);
                await using var advance = connection.CreateCommand();
                advance.CommandText = "INSERT INTO spool_state (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
                advance.Parameters.AddWithValue("$name", Watermark);
                advance.Parameters.AddWithValue("$value", lastRowid);
                await advance.ExecuteNonQueryAsync(cancellationToken);
                return true;
            }
            if (deletes > 0)
            {
                var maxSeq = await ScalarAsync(connection, "SELECT MAX(seq) FROM spool_deletes", cancellationToken);
                var (body, _) = await ReadRowsAsync(connection,
                    "rowid IN (SELECT event_rowid FROM spool_deletes WHERE seq <= $after) ORDER BY rowid LIMIT $limit", maxSeq, cancellationToken);
                await clickHouse.InsertAsync("marketing_events", body, cancellationToken);
                await using var done = connection.CreateCommand();
                done.CommandText = "DELETE FROM spool_deletes WHERE seq <= $seq";
                done.Parameters.AddWithValue("$seq", maxSeq);
                await done.ExecuteNonQueryAsync(cancellationToken);
                return true;
            }
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Spooled rows as JSONEachRow; a row's version is its deletion time, so a delete outranks the insert.</summary>
    private static async Task<(ReadOnlyMemory<byte> Body, long LastRowid)> ReadRowsAsync(
        SqliteConnection connection, string condition, long after, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT rowid, {SqliteEventStore.Columns} FROM marketing_events WHERE {condition}";
        select.Parameters.AddWithValue("$after", after);
        select.Parameters.AddWithValue("$limit", BatchRows);
        var buffer = new ArrayBufferWriter<byte>();
        long lastRowid = after;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        using var writer = new Utf8JsonWriter(buffer);
        while (await reader.ReadAsync(cancellationToken))
        {
            lastRowid = reader.GetInt64(0);
            writer.WriteStartObject();
            for (var i = 1; i < reader.FieldCount; i++)
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
            writer.WriteNumber("version", reader.IsDBNull(reader.FieldCount - 1) ? 0 : reader.GetInt64(reader.FieldCount - 1));
            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);
            writer.Reset();
        }
        return (buffer.WrittenMemory, lastRowid);
    }

    /// <summary>Drops shipped rows older than the dedupe window, so the spool stays small.</summary>
    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await spool.OpenAsync(cancellationToken);
        await using var prune = connection.CreateCommand();
        prune.CommandText = """
            DELETE FROM marketing_events
            WHERE rowid <= COALESCE((SELECT value FROM spool_state WHERE name = $name), 0) AND received_at < $before
              AND rowid NOT IN (SELECT event_rowid FROM spool_deletes)
            """;
        prune.Parameters.AddWithValue("$name", Watermark);
        prune.Parameters.AddWithValue("$before", (clock.GetUtcNow() - DedupeWindow).ToUnixTimeMilliseconds());
        await prune.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$name", Watermark);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Shipping events to ClickHouse failed ({Backlog} waiting); retrying in {Seconds} s")]
        public static partial void ShippingFailed(ILogger logger, Exception exception, long backlog, double seconds);
    }
}
