using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using Utmost.Core.Sessions;
using Utmost.Events;
using Utmost.Hosting;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Sessions;

/// <summary>
/// Builds sessions from stored events, in the background and off the ingestion path. It follows this instance's
/// local event table (the embedded store, or ClickHouse's spool up to what has been shipped) in rowid order, and for
/// each visitor with new events rebuilds their sessions from the last session that began before the earliest new
/// event (or from that event, when no session began within <see cref="Sessionizer.Lookback"/>), reading the events
/// where they are stored: with ClickHouse, that includes every instance's.
/// <para>
/// Correct whatever the order of arrival: a late event re-splits or merges the sessions around it, since these are
/// a function of the stored events alone. Builds are serialised (across instances, through PostgreSQL), so each
/// reads everything stored before it began; a build that fails is simply done again. Readers call
/// <see cref="CatchUpAsync"/> first, so answers include every acknowledged event.
/// </para>
/// </summary>
public sealed partial class SessionBuilder(
    SqliteDatabase local, ISessionStore store, ISessionBuildLock buildLock, TenantDirectory tenants, IOptions<UtmostOptions> options,
    ILogger<SessionBuilder> logger, ClickHouseShipper? shipper) : BackgroundService
{
    private const int BatchRows = 20_000;
    private const string Watermark = "sessioned_rowid";
    private const string ShippedWatermark = "shipped_rowid";
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public TimeSpan Timeout => TimeSpan.FromMinutes(options.Value.Sessions.TimeoutMinutes);

    /// <summary>Builds the sessions of everything stored so far (shipping it first, with ClickHouse).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (shipper is not null)
        {
            await shipper.FlushAsync(cancellationToken);
        }
        // Bounded, like the shipper's flush: ingestion that goes on meanwhile cannot keep a reader here.
        for (var rounds = 0; rounds < 50 && await BuildAsync(cancellationToken); rounds++)
        {
        }
    }

    /// <summary>Queues a visitor's sessions for rebuilding from <paramref name="fromMs"/> (after one of their events was deleted).</summary>
    public async Task TouchAsync(long tenantKey, string visitorId, long fromMs, CancellationToken cancellationToken)
    {
        await using var connection = await local.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO session_touches (tenant_key, visitor_id, from_ms) VALUES ($tenant_key, $visitor_id, $from)";
        command.Parameters.AddWithValue("$tenant_key", tenantKey);
        command.Parameters.AddWithValue("$visitor_id", visitorId);
        command.Parameters.AddWithValue("$from", fromMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var more = await BuildAsync(stoppingToken);
                backoff = TimeSpan.Zero;
                if (!more)
                {
                    await Task.Delay(Idle, stoppingToken);
                }
            }
            catch (Exception e) when (e is ClickHouseException or SqliteException or HttpRequestException or NpgsqlException)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                Log.BuildFailed(logger, e, backoff.TotalSeconds);
                await Task.Delay(backoff, stoppingToken);
            }
        }
    }

    /// <summary>One round: the next batch of new events and queued touches; true when more are waiting.</summary>
    private async Task<bool> BuildAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await local.OpenAsync(cancellationToken);
            var watermark = await StateAsync(connection, Watermark, cancellationToken);
            var ceiling = shipper is null
                ? await ScalarAsync(connection, "SELECT COALESCE(MAX(rowid), 0) FROM marketing_events", cancellationToken)
                : await StateAsync(connection, ShippedWatermark, cancellationToken);
            var from = new Dictionary<VisitorKey, long>();
            var last = watermark;
            if (ceiling > watermark)
            {
                last = await ReadNewEventsAsync(connection, watermark, ceiling, from, cancellationToken);
            }
            // With ClickHouse, a delete still in the spool is not there yet: rebuilding now would still see the event.
            var lastTouch = shipper is null || await ScalarAsync(connection, "SELECT COUNT(*) FROM spool_deleted_events", cancellationToken) == 0
                ? await ReadTouchesAsync(connection, from, cancellationToken)
                : 0;
            if (from.Count > 0)
            {
                await RebuildAsync(from, cancellationToken);
            }
            await using (var transaction = connection.BeginTransaction(deferred: false))
            {
                await using var done = connection.CreateCommand();
                done.Transaction = transaction;
                done.CommandText = """
                    INSERT INTO spool_state (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value;
                    DELETE FROM session_touches WHERE seq <= $seq;
                    """;
                done.Parameters.AddWithValue("$name", Watermark);
                done.Parameters.AddWithValue("$value", last);
                done.Parameters.AddWithValue("$seq", lastTouch);
                await done.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            return last < ceiling;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds the visitors of the events after the watermark (each with their earliest new event); returns the last rowid read.</summary>
    private static async Task<long> ReadNewEventsAsync(SqliteConnection connection, long watermark, long ceiling, Dictionary<VisitorKey, long> from,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT rowid, tenant_key, visitor_id, created_at, is_bot FROM marketing_events
            WHERE rowid > $watermark AND rowid <= $ceiling ORDER BY rowid LIMIT $limit
            """;
        command.Parameters.AddWithValue("$watermark", watermark);
        command.Parameters.AddWithValue("$ceiling", ceiling);
        command.Parameters.AddWithValue("$limit", BatchRows);
        var last = watermark;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            last = reader.GetInt64(0);
            // Events without a visitor (server-side calls) belong to no session; bots are left out like everywhere.
            if (!reader.IsDBNull(2) && reader.GetInt64(4) == 0)
            {
                Earliest(from, new VisitorKey(reader.GetInt64(1), reader.GetString(2)), reader.GetInt64(3));
            }
        }
        return last;
    }

    /// <summary>Adds the queued touches; returns the last one's sequence number.</summary>
    private static async Task<long> ReadTouchesAsync(SqliteConnection connection, Dictionary<VisitorKey, long> from, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, tenant_key, visitor_id, from_ms FROM session_touches ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$limit", BatchRows);
        long last = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            last = reader.GetInt64(0);
            Earliest(from, new VisitorKey(reader.GetInt64(1), reader.GetString(2)), reader.GetInt64(3));
        }
        return last;
    }

    private static void Earliest(Dictionary<VisitorKey, long> from, VisitorKey visitor, long at) =>
        from[visitor] = from.TryGetValue(visitor, out var known) ? Math.Min(known, at) : at;

    private async Task RebuildAsync(Dictionary<VisitorKey, long> earliest, CancellationToken cancellationToken)
    {
        var rules = new Dictionary<long, SessionRules>();
        foreach (var tenantKey in earliest.Keys.Select(v => v.TenantKey).Distinct())
        {
            var tenant = await tenants.FindByStorageKeyAsync(tenantKey, cancellationToken);
            rules[tenantKey] = new SessionRules(Timeout, tenant?.Goals ?? []);
        }
        await using var lease = await buildLock.AcquireAsync(cancellationToken);
        var since = earliest.ToDictionary(e => e.Key, e => e.Value - (long)Sessionizer.Lookback(rules[e.Key.TenantKey]).TotalMilliseconds);
        var starts = await store.SessionStartsAsync(since, cancellationToken);
        // From the last session that began before the earliest new event: the sessions before it cannot change.
        var from = earliest.ToDictionary(e => e.Key, e => starts[e.Key].Where(start => start < e.Value).DefaultIfEmpty(e.Value).Max());
        var events = await store.EventsAsync(from, cancellationToken);
        var sessions = events.SelectMany(e => Sessionizer.Split(e.Key.TenantKey, e.Key.VisitorId, e.Value, rules[e.Key.TenantKey])).ToList();
        await store.ReplaceAsync(from, sessions, lease.Version, cancellationToken);
    }

    private static async Task<long> StateAsync(SqliteConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE((SELECT value FROM spool_state WHERE name = $name), 0)";
        command.Parameters.AddWithValue("$name", name);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Building sessions failed; retrying in {Seconds} s")]
        public static partial void BuildFailed(ILogger logger, Exception exception, double seconds);
    }
}
