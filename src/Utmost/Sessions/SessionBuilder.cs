using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using SQLitePCL;
using Utmost.Core.Sessions;
using Utmost.Events;
using Utmost.Hosting;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Sessions;

/// <summary>
/// Builds sessions from stored events, in the background and off the ingestion path. It follows this instance's
/// local event table (the embedded store, or ClickHouse's spool up to what has been shipped) in rowid order, taking
/// what ingestion just committed from <see cref="SessionFeed"/> and reading the table only where the feed has a gap.
/// <para>
/// A visitor whose session it keeps open in memory, and whose new events all come after that session's last one,
/// is simply continued (the common case: nothing is read back). Any other visitor (seen for the first time since
/// start, an event arriving late, an event deleted) is rebuilt from storage: from the last session that began
/// before the earliest new event, unless that one had ended a timeout before it, reading the events where they are
/// stored (with ClickHouse, every instance's). Sessions are a function of the stored events alone, so a late event
/// re-splits or merges them. Builds are serialised (across instances, through PostgreSQL); an instance that finds
/// another built in between forgets what it kept open. A build that fails is done again.
/// </para>
/// <para>
/// With the embedded store (one instance, one builder) sessions are written every three seconds rather than every
/// round, so a busy visitor's session is written once, not once per event; the watermark moves with each write, so
/// a crash loses only work that is done again. Readers call <see cref="CatchUpAsync"/> first, which builds and
/// writes everything acknowledged so far.
/// </para>
/// </summary>
/// <param name="local">The local event table's file (utmost.db): read only.</param>
/// <param name="sessionsFile">Where the builder keeps its watermark and queued touches (and, without ClickHouse, the sessions).</param>
public sealed partial class SessionBuilder(
    SqliteDatabase local, SessionsDatabase sessionsFile, ISessionStore store, ISessionBuildLock buildLock, TenantDirectory tenants,
    IOptions<UtmostOptions> options, SessionFeed feed, ILogger<SessionBuilder> logger, ClickHouseShipper? shipper,
    Query.AnalyticsCache? analyticsCache = null, Query.VisitRollups? rollups = null, Funnels.FunnelDays? funnelDays = null) : BackgroundService
{
    private const int BatchRows = 20_000;
    /// <summary>The name of the builder's watermark in builder_state: the rowid of the last local event built.</summary>
    public const string Watermark = "sessioned_rowid";
    private const string ShippedWatermark = "shipped_rowid";
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RoundInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(3);

    // Sessions that ended will not change again: written soon, so they do not linger in memory.
    private static readonly TimeSpan EndedWriteInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Beyond this many visitors with sessions waiting to be written, they are written at once.</summary>
    private const int MaxPendingVisitors = 50_000;

    /// <summary>Beyond this many, the open sessions are forgotten (and read back from storage when their visitors return).</summary>
    private const int MaxOpenSessions = 200_000;

    private static readonly Comparison<SessionEvent> EventOrder = (a, b) =>
        a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _backlog;

    // Only one round runs at a time (_gate), so what follows needs no further locking.
    private readonly Dictionary<VisitorKey, SessionState> _open = [];
    private readonly PendingSessions _pending = new();
    private long _builtUpTo = -1;
    private long _touchesUpTo;
    private long _lastWrite = Environment.TickCount64;
    private long _lastEndedWrite = Environment.TickCount64;

    // The watermark and touches as last committed: a round that moved neither commits nothing.
    private (long BuiltUpTo, long TouchesUpTo) _written = (-1, -1);

    private SqliteDatabase State => sessionsFile.Database;

    /// <summary>The embedded store: no other instance builds these sessions, so writes may wait.</summary>
    private bool DeferWrites => store.ReadsUpToLocalRowid;

    public TimeSpan Timeout => TimeSpan.FromMinutes(options.Value.Sessions.TimeoutMinutes);

    /// <summary>How long before an event the session it belongs to may have started: how far a join of events to sessions looks back.</summary>
    public long LookbackMs => (long)Sessionizer.Lookback(new SessionRules(Timeout, [])).TotalMilliseconds;

    /// <summary>Events stored (with ClickHouse: shipped) whose sessions were not built yet, as of the last round.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    /// <summary>Builds and writes the sessions of everything stored so far (shipping it first, with ClickHouse).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (shipper is not null)
        {
            await shipper.FlushAsync(cancellationToken);
        }
        // Bounded, like the shipper's flush: ingestion that goes on meanwhile cannot keep a reader here.
        for (var rounds = 0; rounds < 50 && await RoundAsync(write: false, cancellationToken); rounds++)
        {
        }
        await RoundAsync(write: true, cancellationToken);
    }

    /// <summary>Queues a visitor's sessions for rebuilding from <paramref name="fromMs"/> (after one of their events was deleted).</summary>
    public async Task TouchAsync(long tenantKey, string visitorId, long fromMs, CancellationToken cancellationToken)
    {
        await using var connection = await State.OpenAsync(cancellationToken);
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
                var more = await RoundAsync(write: false, stoppingToken);
                backoff = TimeSpan.Zero;
                if (!more)
                {
                    // Rounds at most every RoundInterval: each has a fixed cost, and events taken within it still die young.
                    await Task.Delay(RoundInterval, stoppingToken);
                    await feed.WaitAsync(Idle, stoppingToken);
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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // What was built but not written would only be built again after the restart; writing it saves that.
            await RoundAsync(write: true, cancellationToken);
        }
        catch (Exception e) when (e is ClickHouseException or SqliteException or HttpRequestException or NpgsqlException or OperationCanceledException)
        {
            Log.BuildFailed(logger, e, 0);
        }
    }

    /// <summary>
    /// One round: the next batch of new events and queued touches, and then (when due, or <paramref name="write"/>)
    /// writing what was built. True when more events are waiting.
    /// </summary>
    private async Task<bool> RoundAsync(bool write, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await local.OpenAsync(cancellationToken);
            await using var state = await State.OpenAsync(cancellationToken);
            if (_builtUpTo < 0)
            {
                _builtUpTo = await SqliteNative.ScalarAsync(state, $"SELECT COALESCE((SELECT value FROM builder_state WHERE name = '{Watermark}'), 0)", cancellationToken);
            }
            var ceiling = shipper is null
                ? await SqliteNative.ScalarAsync(connection, "SELECT COALESCE(MAX(rowid), 0) FROM marketing_events", cancellationToken)
                : await SqliteNative.ScalarAsync(connection, $"SELECT COALESCE((SELECT value FROM spool_state WHERE name = '{ShippedWatermark}'), 0)", cancellationToken);
            var batch = new Dictionary<VisitorKey, List<SessionEvent>>();
            var last = ReadBatch(connection, ceiling, batch);
            // With ClickHouse, a delete still in the spool is not there yet: rebuilding now would still see the event.
            var touched = new Dictionary<VisitorKey, long>();
            var lastTouch = shipper is null || await SqliteNative.ScalarAsync(connection, "SELECT COUNT(*) FROM spool_deleted_events", cancellationToken) == 0
                ? await ReadTouchesAsync(state, _touchesUpTo, touched, cancellationToken)
                : _touchesUpTo;
            if (batch.Count > 0 || touched.Count > 0)
            {
                await BuildBatchAsync(batch, touched, last, cancellationToken);
            }
            _builtUpTo = last;
            _touchesUpTo = lastTouch;
            if (write || !DeferWrites || _pending.Visitors >= MaxPendingVisitors || Environment.TickCount64 - _lastWrite >= WriteInterval.TotalMilliseconds)
            {
                await WriteAsync(state, cancellationToken);
            }
            else if (_pending.HasEnded && Environment.TickCount64 - _lastEndedWrite >= EndedWriteInterval.TotalMilliseconds)
            {
                // The watermark stays: open sessions are not written yet.
                var (from, ended) = _pending.TakeEnded();
                await ReplaceAsync(from, ended, version: 0, cancellationToken);
                _lastEndedWrite = Environment.TickCount64;
            }
            Interlocked.Exchange(ref _backlog, ceiling - last);
            return last < ceiling;
        }
        catch
        {
            // What is kept in memory may now be ahead of what was stored: start again from the watermark.
            _open.Clear();
            _pending.Clear();
            _builtUpTo = -1;
            _touchesUpTo = 0;
            _written = (-1, -1);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The events after what was built, by visitor in (time, id) order; returns the last rowid taken.</summary>
    private long ReadBatch(SqliteConnection connection, long ceiling, Dictionary<VisitorKey, List<SessionEvent>> batch)
    {
        var last = _builtUpTo;
        while (last - _builtUpTo < BatchRows && feed.TryTakeNext(last, ceiling, out var committed))
        {
            foreach (var (visitor, e) in committed.Events)
            {
                Add(batch, visitor, e);
            }
            last = committed.LastRowid;
        }
        if (last == _builtUpTo && Math.Min(ceiling, (feed.FirstRowid ?? long.MaxValue) - 1) is var upTo && upTo > last)
        {
            last = ReadTable(connection, last, upTo, batch);
        }
        foreach (var events in batch.Values)
        {
            events.Sort(EventOrder);
        }
        return last;
    }

    /// <summary>Adds the table's events after <paramref name="after"/> (up to <paramref name="ceiling"/>); returns the last rowid read.</summary>
    private static long ReadTable(SqliteConnection connection, long after, long ceiling, Dictionary<VisitorKey, List<SessionEvent>> batch)
    {
        var db = connection.Handle!;
        using var select = SqliteNative.Prepare(db, $"""
            SELECT rowid, tenant_key, is_bot, {SessionRows.EventColumns} FROM marketing_events
            WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid LIMIT ?3
            """);
        SqliteNative.Bind(db, select, 1, after);
        SqliteNative.Bind(db, select, 2, ceiling);
        SqliteNative.Bind(db, select, 3, (long)BatchRows);
        var row = SessionRows.Row.Of(select);
        var last = after;
        int rc;
        while ((rc = raw.sqlite3_step(select)) == raw.SQLITE_ROW)
        {
            last = raw.sqlite3_column_int64(select, 0);
            // Events without a visitor (server-side calls) belong to no session; bots are left out like everywhere.
            if (row.Text("visitor_id") is not { } visitorId || raw.sqlite3_column_int64(select, 2) != 0)
            {
                continue;
            }
            Add(batch, new VisitorKey(raw.sqlite3_column_int64(select, 1), visitorId), SessionRows.ToEvent(row));
        }
        return rc == raw.SQLITE_DONE ? last : throw SqliteNative.Error(db, rc);
    }

    private static void Add(Dictionary<VisitorKey, List<SessionEvent>> batch, VisitorKey visitor, SessionEvent e)
    {
        if (!batch.TryGetValue(visitor, out var events))
        {
            batch[visitor] = events = [];
        }
        events.Add(e);
    }

    /// <summary>Adds the touches queued after <paramref name="after"/>; returns the last one's sequence number.</summary>
    private static async Task<long> ReadTouchesAsync(SqliteConnection connection, long after, Dictionary<VisitorKey, long> from,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, tenant_key, visitor_id, from_ms FROM session_touches WHERE seq > $after ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$limit", BatchRows);
        var last = after;
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

    /// <param name="lastRowid">The last local event of the batch: a rebuild leaves out local events after it.</param>
    private async Task BuildBatchAsync(Dictionary<VisitorKey, List<SessionEvent>> batch, Dictionary<VisitorKey, long> touched, long lastRowid,
        CancellationToken cancellationToken)
    {
        var rules = new Dictionary<long, SessionRules>();
        foreach (var tenantKey in batch.Keys.Concat(touched.Keys).Select(v => v.TenantKey).Distinct())
        {
            var tenant = await tenants.FindByStorageKeyAsync(tenantKey, cancellationToken);
            rules[tenantKey] = new SessionRules(Timeout, tenant?.Goals ?? []);
        }
        await using var lease = await buildLock.AcquireAsync(cancellationToken);
        if (lease.OthersBuilt)
        {
            _open.Clear();
        }
        // Sessions that ended, and visitors whose open session changed (turned into a session when written).
        var closed = new List<Session>();
        var changed = new List<VisitorKey>();
        var rebuild = new Dictionary<VisitorKey, long>(touched);
        foreach (var (visitor, events) in batch)
        {
            if (!touched.ContainsKey(visitor) && _open.TryGetValue(visitor, out var open) && open.Precedes(events[0]))
            {
                _open[visitor] = Sessionizer.Fold(visitor.TenantKey, visitor.VisitorId, open, events, rules[visitor.TenantKey], closed)!;
                changed.Add(visitor);
            }
            else
            {
                Earliest(rebuild, visitor, events[0].CreatedAt);
            }
        }
        var from = rebuild.Count == 0 ? [] : await RebuildAsync(rebuild, touched, batch, lastRowid, rules, closed, changed, cancellationToken);
        if (DeferWrites)
        {
            _pending.Add(from, closed, changed);
        }
        else
        {
            // Shared storage: written under this build's lease and version, before another instance may build.
            closed.AddRange(changed.Select(v => _open[v].ToSession()));
            await ReplaceAsync(from, closed, lease.Version, cancellationToken);
        }
        if (_open.Count > MaxOpenSessions)
        {
            _pending.Freeze(_open);
            _open.Clear();
        }
    }

    /// <summary>Rebuilds the visitors' sessions from storage; returns, per visitor, from when their stored sessions are replaced.</summary>
    private async Task<Dictionary<VisitorKey, long>> RebuildAsync(Dictionary<VisitorKey, long> earliest, Dictionary<VisitorKey, long> touched,
        Dictionary<VisitorKey, List<SessionEvent>> batch, long lastRowid, Dictionary<long, SessionRules> rules, List<Session> closed,
        List<VisitorKey> changed, CancellationToken cancellationToken)
    {
        // Sessions built but not written yet are part of what is stored, as far as this build goes.
        await WritePendingOfAsync(earliest.Keys, cancellationToken);
        var since = earliest.ToDictionary(e => e.Key, e => e.Value - (long)Sessionizer.Lookback(rules[e.Key.TenantKey]).TotalMilliseconds);
        var spans = await store.SessionSpansAsync(since, cancellationToken);
        var from = earliest.ToDictionary(e => e.Key, e =>
        {
            // The last session that began before the earliest new event: the ones before it cannot change. If it
            // ended a timeout or more before that event, the event begins a session of its own and nothing is re-read.
            var timeoutMs = (long)rules[e.Key.TenantKey].Timeout.TotalMilliseconds;
            var before = spans[e.Key].Where(span => span.Start < e.Value).DefaultIfEmpty((Start: e.Value, End: long.MinValue / 2)).MaxBy(span => span.Start);
            return e.Value - before.End >= timeoutMs ? e.Value : before.Start;
        });
        // A visitor new to the store (or back after a pause) has no session reaching the new events: the batch holds
        // all their events from there on, and nothing is read back. Only late events and deletes read the store.
        var toRead = from.Where(f => touched.ContainsKey(f.Key) || f.Value != earliest[f.Key] || spans[f.Key].Any(span => span.End >= f.Value))
            .ToDictionary(f => f.Key, f => f.Value);
        var stored = toRead.Count == 0 ? [] : await store.EventsAsync(toRead, lastRowid, cancellationToken);
        foreach (var visitor in from.Keys.Where(v => !toRead.ContainsKey(v)))
        {
            stored[visitor] = batch[visitor];
        }
        foreach (var (visitor, events) in stored)
        {
            _open.Remove(visitor);
            var open = Sessionizer.Fold(visitor.TenantKey, visitor.VisitorId, null, events, rules[visitor.TenantKey], closed);
            if (open is null)
            {
                continue;
            }
            // Kept open only if nothing read lies beyond this batch: an event read now that comes in a later batch must
            // not be added twice. The embedded store reads exactly up to the batch; ClickHouse may hold later ones.
            if (store.ReadsUpToLocalRowid || batch.TryGetValue(visitor, out var mine) && mine[^1].Id == events[^1].Id)
            {
                _open[visitor] = open;
                changed.Add(visitor);
            }
            else
            {
                closed.Add(open.ToSession());
            }
        }
        return from;
    }

    /// <summary>Writes the pending sessions of these visitors first, so that a rebuild reads them back as stored.</summary>
    private async Task WritePendingOfAsync(IEnumerable<VisitorKey> visitors, CancellationToken cancellationToken)
    {
        var (from, sessions) = _pending.Take(visitors, _open);
        if (from.Count > 0 || sessions.Count > 0)
        {
            await ReplaceAsync(from, sessions, version: 0, cancellationToken);
        }
    }

    /// <summary>
    /// Stores the sessions, marks their days for the visit rollup and their visitors for the funnel days, and tells the
    /// analytics cache their tenants' answers are out of date.
    /// </summary>
    private async Task ReplaceAsync(IReadOnlyDictionary<VisitorKey, long> from, IReadOnlyList<Session> sessions, long version,
        CancellationToken cancellationToken)
    {
        if (rollups is not null)
        {
            await rollups.MarkAsync(from, sessions, cancellationToken);
        }
        if (funnelDays is not null)
        {
            // Once, before: funnel days are worked out from the events, which are stored already.
            await funnelDays.MarkAsync(from, sessions, cancellationToken);
        }
        await store.ReplaceAsync(from, sessions, version, cancellationToken);
        if (rollups is not null)
        {
            // Again: a rollup that read these days while they were being written may have removed the first mark.
            await rollups.MarkAsync(from, sessions, cancellationToken);
        }
        analyticsCache?.Changed(from.Keys.Select(v => v.TenantKey).Concat(sessions.Select(s => s.TenantKey)));
    }

    /// <summary>Writes what was built, then moves the watermark (and drops the touches done) to where the building got.</summary>
    private async Task WriteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var (from, sessions) = _pending.Take(null, _open);
        if (from.Count > 0 || sessions.Count > 0)
        {
            await ReplaceAsync(from, sessions, version: 0, cancellationToken);
        }
        if ((_builtUpTo, _touchesUpTo) == _written)
        {
            _lastWrite = Environment.TickCount64;
            return;
        }
        await State.WriteGate.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var done = connection.CreateCommand();
            done.Transaction = transaction;
            done.CommandText = """
                INSERT INTO builder_state (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value;
                DELETE FROM session_touches WHERE seq <= $seq;
                """;
            done.Parameters.AddWithValue("$name", Watermark);
            done.Parameters.AddWithValue("$value", _builtUpTo);
            done.Parameters.AddWithValue("$seq", _touchesUpTo);
            await done.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _written = (_builtUpTo, _touchesUpTo);
        }
        finally
        {
            State.WriteGate.Release();
        }
        _lastWrite = Environment.TickCount64;
    }

    /// <summary>
    /// Sessions built but not yet written: per visitor, from when their stored sessions are to be replaced (after a
    /// rebuild), the sessions that ended (by id: a later build of one replaces an earlier one), and whether their
    /// open session changed, which is turned into a session only when written, however many rounds changed it.
    /// </summary>
    private sealed class PendingSessions
    {
        private readonly Dictionary<VisitorKey, long> _from = [];
        private readonly Dictionary<VisitorKey, Dictionary<string, Session>> _ended = [];
        private readonly HashSet<VisitorKey> _openChanged = [];

        public int Visitors => _ended.Count + _openChanged.Count;

        public bool HasEnded => _ended.Count > 0;

        /// <summary>Removes and returns the sessions that ended (and where their visitors' stored sessions are replaced from).</summary>
        public (Dictionary<VisitorKey, long> From, List<Session> Sessions) TakeEnded()
        {
            var from = new Dictionary<VisitorKey, long>();
            var sessions = new List<Session>();
            foreach (var (visitor, built) in _ended)
            {
                if (_from.Remove(visitor, out var start))
                {
                    from[visitor] = start;
                }
                sessions.AddRange(built.Values);
            }
            _ended.Clear();
            return (from, sessions);
        }

        public void Add(Dictionary<VisitorKey, long> from, List<Session> ended, List<VisitorKey> openChanged)
        {
            foreach (var (visitor, start) in from)
            {
                _from[visitor] = _from.TryGetValue(visitor, out var known) ? Math.Min(known, start) : start;
                // A rebuild from `start` decides every session from there on: earlier builds of those are void.
                if (_ended.TryGetValue(visitor, out var built))
                {
                    foreach (var id in built.Where(s => s.Value.StartedAt >= start).Select(s => s.Key).ToList())
                    {
                        built.Remove(id);
                    }
                }
            }
            foreach (var session in ended)
            {
                var visitor = new VisitorKey(session.TenantKey, session.VisitorId);
                if (!_ended.TryGetValue(visitor, out var built))
                {
                    _ended[visitor] = built = new Dictionary<string, Session>(StringComparer.Ordinal);
                }
                built[session.SessionId] = session;
            }
            _openChanged.UnionWith(openChanged);
        }

        /// <summary>Turns the changed open sessions into sessions now, before what is kept open is forgotten.</summary>
        public void Freeze(Dictionary<VisitorKey, SessionState> forgotten) =>
            Add([], _openChanged.Where(forgotten.ContainsKey).Select(v => forgotten[v].ToSession()).ToList(), []);

        /// <summary>Removes and returns what is pending for <paramref name="visitors"/> (all when null), open sessions as they are now.</summary>
        public (Dictionary<VisitorKey, long> From, List<Session> Sessions) Take(IEnumerable<VisitorKey>? visitors, Dictionary<VisitorKey, SessionState> open)
        {
            var keys = visitors?.Where(v => _from.ContainsKey(v) || _ended.ContainsKey(v) || _openChanged.Contains(v)).ToList()
                ?? _from.Keys.Union(_ended.Keys).Union(_openChanged).ToList();
            var from = new Dictionary<VisitorKey, long>();
            var sessions = new List<Session>();
            foreach (var visitor in keys)
            {
                if (_from.Remove(visitor, out var start))
                {
                    from[visitor] = start;
                }
                if (_ended.Remove(visitor, out var built))
                {
                    sessions.AddRange(built.Values);
                }
                if (_openChanged.Remove(visitor) && open.TryGetValue(visitor, out var state))
                {
                    sessions.Add(state.ToSession());
                }
            }
            return (from, sessions);
        }

        public void Clear()
        {
            _from.Clear();
            _ended.Clear();
            _openChanged.Clear();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Building sessions failed; retrying in {Seconds} s")]
        public static partial void BuildFailed(ILogger logger, Exception exception, double seconds);
    }
}
