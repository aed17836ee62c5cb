using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Utmost.Core.Common;
using Utmost.Core.Funnels;
using Utmost.Core.Metrics;
using Utmost.Core.Query;
using Utmost.Core.Sessions;
using Utmost.Query;
using Utmost.Sessions;
using Utmost.Tenancy;

namespace Utmost.Funnels;

/// <summary>
/// Keeps each funnel's days (per local day and visitor: how far that day's entries got, see
/// <see cref="FunnelCalculator.Days"/>) in step with the events, so that a report over whole days counts stored rows
/// instead of following every visitor through the events. A funnel is built from scratch the first time it is asked
/// for, in the tenant's zone (again when the zone changes), reading its step events a part of the visitors at a time.
/// After that, the session builder marks each visitor whose events it is about to turn into sessions, with the span
/// they may have changed; a visitor's days from the window before that span to its end are worked out again from their
/// events, and the rows that moved on are written. A day that would go back (an event deleted) has the funnel
/// built again. Marks are removed once every funnel of the tenant has taken them in, so a crash leaves them to be done.
/// </summary>
public sealed partial class FunnelDays(SessionsDatabase sessionsFile, IFunnelDayStore store, FunnelStore funnels, IQueryEngine engine,
    TenantDirectory tenants, IOptions<Hosting.UtmostOptions> options, TimeProvider clock, ILogger<FunnelDays> logger) : BackgroundService
{
    /// <summary>Visitors whose step events are read at once when marks are taken in.</summary>
    private const int VisitorsPerRead = 500;

    /// <summary>Past this many marked visitors, building the funnel again is cheaper than following each.</summary>
    private const int MostVisitorsToFollow = 20_000;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>How long reading a part of the events may take (a report waits only its own timeout).</summary>
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    private readonly SemaphoreSlim _gate = new(1, 1);

    // Marks this instance wrote per tenant, and per funnel how many of them (and which zone) its days last caught up with.
    private readonly ConcurrentDictionary<long, long> _marked = new();
    private readonly ConcurrentDictionary<(long Tenant, string Funnel), (string Zone, long Marked)> _fresh = new();
    private readonly Storage.VersionClock _versions = new(clock);
    private long _lastRoundSeq;

    // Work started for a report goes on after the report stops waiting, until the server stops.
    private CancellationToken _stopping = CancellationToken.None;

    private Storage.Sqlite.SqliteDatabase State => sessionsFile.Database;

    /// <summary>The 64-bit hash a visitor is stored under (never 0: that is the commit row on ClickHouse).</summary>
    public static ulong VisitorHash(string visitorId) => Math.Max(1UL, VisitorSketch.Hash(visitorId));

    /// <summary>Marks the visitors of sessions about to be written, each from the earliest start replaced or written to the latest end (or now).</summary>
    public async Task MarkAsync(IReadOnlyDictionary<VisitorKey, long> from, IReadOnlyList<Session> sessions, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var spans = new Dictionary<VisitorKey, (long From, long To)>();
        void Extend(VisitorKey visitor, long start, long end) =>
            spans[visitor] = spans.TryGetValue(visitor, out var span) ? (Math.Min(span.From, start), Math.Max(span.To, end)) : (start, end);
        foreach (var (visitor, start) in from)
        {
            Extend(visitor, start, now);
        }
        foreach (var session in sessions)
        {
            Extend(new VisitorKey(session.TenantKey, session.VisitorId), session.StartedAt, Math.Max(session.EndedAt, now));
        }
        if (spans.Count == 0)
        {
            return;
        }
        await State.ExecuteForEachAsync("INSERT INTO funnel_days_dirty (tenant_key, visitor_id, from_ms, to_ms) VALUES ($tenant, $visitor, $from, $to)",
            ["$tenant", "$visitor", "$from", "$to"], spans.Select(s => new object?[] { s.Key.TenantKey, s.Key.VisitorId, s.Value.From, s.Value.To }),
            cancellationToken);
        foreach (var tenantKey in spans.Keys.Select(v => v.TenantKey).Distinct())
        {
            _marked.AddOrUpdate(tenantKey, 1, (_, count) => count + 1);
        }
    }

    /// <summary>
    /// Builds the funnel's days or takes in the tenant's marks, unless nothing changed since the last time. Gives up
    /// waiting after <paramref name="timeout"/> (a <see cref="TimeoutException"/>); the work goes on and the next report reads it.
    /// </summary>
    public async Task EnsureFreshAsync(Tenant tenant, Funnel funnel, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var marked = _marked.GetValueOrDefault(tenant.Key);
        if (_fresh.TryGetValue((tenant.Key, funnel.Id), out var fresh) && fresh == (tenant.TimeZone, marked))
        {
            return;
        }
        var work = Task.Run(async () =>
        {
            await _gate.WaitAsync(_stopping);
            try
            {
                await RefreshAsync(tenant, funnel, _stopping);
                _fresh[(tenant.Key, funnel.Id)] = (tenant.TimeZone, marked);
            }
            finally
            {
                _gate.Release();
            }
        }, _stopping);
        try
        {
            await work.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"The funnel's days are still being worked out (more than {timeout.TotalSeconds:0.#} s so far); ask again shortly", e);
        }
    }

    /// <summary>Forgets a deleted funnel's days.</summary>
    public async Task ForgetAsync(Tenant tenant, string funnelId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ForgetAsync(tenant.Key, funnelId, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ForgetAsync(long tenantKey, string funnelId, CancellationToken cancellationToken)
    {
        await store.DropAsync(tenantKey, funnelId, cancellationToken);
        await State.ExecuteAsync("DELETE FROM funnel_days_built WHERE tenant_key = $tenant AND funnel_id = $funnel",
            new Dictionary<string, object> { ["$tenant"] = tenantKey, ["$funnel"] = funnelId }, cancellationToken);
        _fresh.TryRemove((tenantKey, funnelId), out _);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                foreach (var tenantKey in await WaitingTenantsAsync(stoppingToken))
                {
                    if (await tenants.FindByStorageKeyAsync(tenantKey, stoppingToken) is { } tenant)
                    {
                        await _gate.WaitAsync(stoppingToken);
                        try
                        {
                            await RefreshAsync(tenant, null, stoppingToken);
                        }
                        finally
                        {
                            _gate.Release();
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SqliteException or Storage.ClickHouse.ClickHouseException or HttpRequestException or IOException
                or InvalidOperationException or TimeoutException)
            {
                // The marks stay; the next round (or a report) tries again.
                Log.RefreshFailed(logger, e);
            }
        }
    }

    /// <summary>Tenants with marks that were there when the round before looked (marks carry no time: a round is the clock).</summary>
    private async Task<List<long>> WaitingTenantsAsync(CancellationToken cancellationToken)
    {
        var (before, now) = (_lastRoundSeq, await MaxSeqAsync(cancellationToken));
        _lastRoundSeq = now;
        await using var connection = await State.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT tenant_key FROM funnel_days_dirty GROUP BY tenant_key HAVING MIN(seq) <= $seq";
        command.Parameters.AddWithValue("$seq", before);
        var keys = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetInt64(0));
        }
        return keys;
    }

    private async Task<long> MaxSeqAsync(CancellationToken cancellationToken)
    {
        await using var connection = await State.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM funnel_days_dirty";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    /// <summary>
    /// Takes the tenant's marks in for every funnel built in its zone, and builds <paramref name="build"/> if it is not
    /// (other funnels are built on their first report); then removes the marks, and forgets funnels that are gone.
    /// </summary>
    private async Task RefreshAsync(Tenant tenant, Funnel? build, CancellationToken cancellationToken)
    {
        TimeZones.TryFind(tenant.TimeZone, out var zone);
        // The newest mark of any tenant: seq never goes back (AUTOINCREMENT), so this tenant's later marks come after it.
        var lastSeq = await MaxSeqAsync(cancellationToken);
        var built = await BuiltAsync(tenant.Key, cancellationToken);
        var current = await funnels.ListAsync(tenant.Id, cancellationToken);
        foreach (var funnel in current)
        {
            var state = built.GetValueOrDefault(funnel.Id);
            var inZone = state is { } known && known.Zone == tenant.TimeZone;
            if (!inZone && funnel.Id != build?.Id)
            {
                continue;
            }
            if (!inZone || await VisitorsMarkedAsync(tenant.Key, state!.Value.Seq, lastSeq, cancellationToken) > MostVisitorsToFollow
                || !await FollowAsync(tenant, funnel, zone, await MarksAsync(tenant.Key, state.Value.Seq, lastSeq, cancellationToken), cancellationToken))
            {
                await BuildAsync(tenant, funnel, zone, cancellationToken);
            }
            await State.ExecuteAsync("""
                INSERT INTO funnel_days_built (tenant_key, funnel_id, time_zone, seq) VALUES ($tenant, $funnel, $zone, $seq)
                ON CONFLICT (tenant_key, funnel_id) DO UPDATE SET time_zone = excluded.time_zone, seq = excluded.seq
                """, new Dictionary<string, object> { ["$tenant"] = tenant.Key, ["$funnel"] = funnel.Id, ["$zone"] = tenant.TimeZone, ["$seq"] = lastSeq },
                cancellationToken);
        }
        foreach (var gone in built.Keys.Except(current.Select(f => f.Id), StringComparer.Ordinal))
        {
            await ForgetAsync(tenant.Key, gone, cancellationToken);
        }
        // Every built funnel has taken in the marks up to lastSeq; the others will read the events themselves.
        await State.ExecuteAsync("DELETE FROM funnel_days_dirty WHERE tenant_key = $tenant AND seq <= $seq",
            new Dictionary<string, object> { ["$tenant"] = tenant.Key, ["$seq"] = lastSeq }, cancellationToken);
    }

    /// <summary>
    /// Works the marked visitors' days out again and writes those that moved on; false when one went back (the
    /// funnel is to be built again).
    /// </summary>
    private async Task<bool> FollowAsync(Tenant tenant, Funnel funnel, TimeZoneInfo zone, List<Mark> marks, CancellationToken cancellationToken)
    {
        var window = funnel.WindowSeconds * 1000;
        var spans = marks.GroupBy(m => m.VisitorId, StringComparer.Ordinal)
            .Select(g => (Visitor: g.Key, FirstDay: OffsetSegments.NumberOfDay(g.Min(m => m.FromMs) - window, zone),
                LastDay: OffsetSegments.NumberOfDay(g.Max(m => m.ToMs), zone)))
            .ToList();
        var dialects = await engine.DialectsAsync(tenant.Key, readsEvents: true, cancellationToken);
        foreach (var part in spans.Chunk(VisitorsPerRead))
        {
            var (firstDay, lastDay) = (part.Min(p => p.FirstDay), part.Max(p => p.LastDay));
            var computed = await DaysOfAsync(tenant, funnel, zone, dialects, firstDay, lastDay, sql => sql.HitsOf(part.Select(p => p.Visitor).ToList()),
                cancellationToken);
            var hashes = part.ToDictionary(p => VisitorHash(p.Visitor), p => (p.FirstDay, p.LastDay));
            var stored = (await store.RowsOfAsync(tenant.Key, funnel.Id, hashes.Keys, firstDay, lastDay, cancellationToken))
                .Where(r => r.Day >= hashes[r.Visitor].FirstDay && r.Day <= hashes[r.Visitor].LastDay)
                .ToDictionary(r => (r.Day, r.Visitor));
            var fresh = computed.Where(r => hashes.TryGetValue(r.Visitor, out var span) && r.Day >= span.FirstDay && r.Day <= span.LastDay)
                .ToDictionary(r => (r.Day, r.Visitor));
            if (stored.Any(s => !fresh.TryGetValue(s.Key, out var now) || now.Level < s.Value.Level))
            {
                return false;
            }
            var moved = fresh.Values.Where(r => !stored.TryGetValue((r.Day, r.Visitor), out var before)
                || before.Level != r.Level || !before.Seconds.SequenceEqual(r.Seconds)).ToList();
            await store.UpdateAsync(tenant.Key, funnel.Id, moved, _versions.Next(), cancellationToken);
        }
        return true;
    }

    /// <summary>Builds the funnel's days over all the tenant's events, a part of the visitors at a time.</summary>
    private async Task BuildAsync(Tenant tenant, Funnel funnel, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var generation = await store.StartBuildAsync(tenant.Key, funnel.Id, _versions.Next(), cancellationToken);
        var dialects = await engine.DialectsAsync(tenant.Key, readsEvents: true, cancellationToken);
        var dialect = dialects();
        var span = new QueryStatement($"SELECT MIN(created_at), MAX(created_at), COUNT(*) {dialect.EventsFrom(tenant.Key, 0, long.MaxValue)}",
            dialect.Parameters.ToList(), QuerySource.Events);
        var row = (await engine.RunAsync(span, BuildTimeout, cancellationToken))[0];
        if (Convert.ToInt64(row[2]) > 0)
        {
            var (firstDay, lastDay) = (OffsetSegments.NumberOfDay(Convert.ToInt64(row[0]), zone), OffsetSegments.NumberOfDay(Convert.ToInt64(row[1]), zone));
            // The visitors in even parts of about so many events each, one part in memory at a time.
            var parts = (int)Math.Max(1, Convert.ToInt64(row[2]) / options.Value.Query.FunnelBuildEventsPerRead);
            for (var part = 0; part < parts; part++)
            {
                var rows = await DaysOfAsync(tenant, funnel, zone, dialects, firstDay, lastDay, sql => sql.HitsOfBucket(part, parts), cancellationToken);
                await store.AddBuiltAsync(tenant.Key, funnel.Id, generation, rows, cancellationToken);
            }
        }
        await store.CommitBuildAsync(tenant.Key, funnel.Id, generation, cancellationToken);
    }

    /// <summary>
    /// The days [<paramref name="firstDay"/>, <paramref name="lastDay"/>] of the visitors <paramref name="hits"/> selects:
    /// their entries on those days, followed through their step events up to the window after the last.
    /// </summary>
    private async Task<List<FunnelDayRow>> DaysOfAsync(Tenant tenant, Funnel funnel, TimeZoneInfo zone, Func<QueryDialect> dialects, long firstDay,
        long lastDay, Func<FunnelSql, QueryStatement> hits, CancellationToken cancellationToken)
    {
        var period = QueryPeriod.OfDays(OffsetSegments.DayFromNumber(firstDay), OffsetSegments.DayFromNumber(lastDay), zone);
        var sql = new FunnelSql(dialects(), funnel, null, tenant.Key, period, lookbackMs: 0);
        var rows = new List<FunnelDayRow>();
        foreach (var visitor in (await engine.RunAsync(hits(sql), BuildTimeout, cancellationToken)).GroupBy(r => (string)r[0]!, StringComparer.Ordinal))
        {
            var hash = VisitorHash(visitor.Key);
            var (_, visitorHits) = FunnelReporter.VisitorOfRows(visitor);
            var days = FunnelCalculator.Days(visitorHits, funnel.Steps.Count, funnel.WindowSeconds, funnel.Order,
                second => OffsetSegments.NumberOfDay(second * 1000, zone));
            foreach (var day in days)
            {
                if (day.Day >= firstDay && day.Day <= lastDay)
                {
                    rows.Add(new FunnelDayRow(day.Day, hash, day.Progress.Level, day.Progress.SecondsFromStart.Skip(1).ToArray()));
                }
            }
        }
        return rows;
    }

    private sealed record Mark(long Seq, string VisitorId, long FromMs, long ToMs);

    /// <summary>The tenant's marks in (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    private async Task<List<Mark>> MarksAsync(long tenantKey, long after, long upTo, CancellationToken cancellationToken)
    {
        await using var connection = await State.OpenAsync(cancellationToken);
        await using var command = MarksCommand(connection, "seq, visitor_id, from_ms, to_ms", tenantKey, after, upTo);
        var marks = new List<Mark>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            marks.Add(new Mark(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
        return marks;
    }

    private async Task<long> VisitorsMarkedAsync(long tenantKey, long after, long upTo, CancellationToken cancellationToken)
    {
        await using var connection = await State.OpenAsync(cancellationToken);
        await using var command = MarksCommand(connection, "COUNT(DISTINCT visitor_id)", tenantKey, after, upTo);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    private static SqliteCommand MarksCommand(SqliteConnection connection, string columns, long tenantKey, long after, long upTo)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM funnel_days_dirty WHERE tenant_key = $tenant AND seq > $after AND seq <= $up_to";
        command.Parameters.AddWithValue("$tenant", tenantKey);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$up_to", upTo);
        return command;
    }

    private async Task<Dictionary<string, (string Zone, long Seq)?>> BuiltAsync(long tenantKey, CancellationToken cancellationToken)
    {
        await using var connection = await State.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT funnel_id, time_zone, seq FROM funnel_days_built WHERE tenant_key = $tenant";
        command.Parameters.AddWithValue("$tenant", tenantKey);
        var built = new Dictionary<string, (string, long)?>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            built[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2));
        }
        return built;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Working out funnel days failed; it is tried again")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
