using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Utmost.Core.Common;
using Utmost.Core.Metrics;
using Utmost.Core.Query;
using Utmost.Core.Sessions;
using Utmost.Sessions;
using Utmost.Tenancy;

namespace Utmost.Query;

/// <summary>
/// Keeps the visit rollup (per tenant, local day and traffic source: see <see cref="VisitRollup"/>) in step with
/// the sessions. Before and after the session builder writes sessions it marks the span of their starts (and of those
/// it replaces) as dirty in sessions.db; a query that reads the rollup first rolls up its tenant's dirty days again
/// (<see cref="EnsureFreshAsync"/>), and in the background quiet tenants are rolled up so that queries seldom wait.
/// A tenant whose time zone is not the one its days were rolled up in is rolled up from scratch. Marks are removed
/// only after their days are written, so a crash leaves them to be done again.
/// </summary>
public sealed partial class VisitRollups(SessionsDatabase sessionsFile, IVisitRollupStore store, TenantDirectory tenants, TimeProvider clock,
    ILogger<VisitRollups> logger) : BackgroundService
{
    /// <summary>Days rolled up per write: a year of days is a year of rows, held at once otherwise.</summary>
    private const int DaysPerSlice = 7;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>A tenant whose sessions are still being written is left to its queries, or to this long after its oldest mark.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _gate = new(1, 1);

    // Marks this instance wrote per tenant, and how many of them (and which zone) its rollup last caught up with.
    private readonly ConcurrentDictionary<long, long> _marked = new();
    private readonly ConcurrentDictionary<long, (string Zone, long Marked)> _fresh = new();
    private readonly Storage.VersionClock _versions = new(clock);

    private Storage.Sqlite.SqliteDatabase State => sessionsFile.Database;

    /// <summary>
    /// Marks the days of sessions about to be written: per tenant, from the earliest start replaced or written to the
    /// latest (or now: a replaced session began at or after its visitor's <paramref name="from"/>, and before now).
    /// </summary>
    public async Task MarkAsync(IReadOnlyDictionary<VisitorKey, long> from, IReadOnlyList<Session> sessions, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var spans = new Dictionary<long, (long From, long To)>();
        void Extend(long tenantKey, long start, long end) =>
            spans[tenantKey] = spans.TryGetValue(tenantKey, out var span) ? (Math.Min(span.From, start), Math.Max(span.To, end)) : (start, end);
        foreach (var (visitor, start) in from)
        {
            Extend(visitor.TenantKey, start, Math.Max(start, now));
        }
        foreach (var session in sessions)
        {
            Extend(session.TenantKey, session.StartedAt, session.StartedAt);
        }
        if (spans.Count == 0)
        {
            return;
        }
        await State.ExecuteForEachAsync("INSERT INTO visit_rollup_dirty (tenant_key, from_ms, to_ms, marked_at) VALUES ($tenant, $from, $to, $now)",
            ["$tenant", "$from", "$to", "$now"], spans.Select(s => new object?[] { s.Key, s.Value.From, s.Value.To, now }), cancellationToken);
        foreach (var tenantKey in spans.Keys)
        {
            _marked.AddOrUpdate(tenantKey, 1, (_, count) => count + 1);
        }
    }

    /// <summary>Rolls up the tenant's dirty days (all its days, when its zone changed) unless nothing changed since the last time.</summary>
    public async Task EnsureFreshAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var marked = _marked.GetValueOrDefault(tenant.Key);
        if (_fresh.TryGetValue(tenant.Key, out var fresh) && fresh == (tenant.TimeZone, marked))
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await RefreshAsync(tenant.Key, tenant.TimeZone, cancellationToken);
            _fresh[tenant.Key] = (tenant.TimeZone, marked);
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                foreach (var tenantKey in await QuietTenantsAsync(stoppingToken))
                {
                    if (await tenants.FindByStorageKeyAsync(tenantKey, stoppingToken) is { } tenant)
                    {
                        await EnsureFreshAsync(tenant, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SqliteException or Storage.ClickHouse.ClickHouseException or HttpRequestException or IOException
                or InvalidOperationException)
            {
                // The marks stay; the next round (or a query) tries again.
                Log.RefreshFailed(logger, e);
            }
        }
    }

    /// <summary>Tenants with marks, none newer than <see cref="Quiet"/> or one older than <see cref="MaxDelay"/>.</summary>
    private async Task<List<long>> QuietTenantsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await State.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT tenant_key FROM visit_rollup_dirty GROUP BY tenant_key HAVING MAX(marked_at) <= $quiet OR MIN(marked_at) <= $late";
        command.Parameters.AddWithValue("$quiet", now - (long)Quiet.TotalMilliseconds);
        command.Parameters.AddWithValue("$late", now - (long)MaxDelay.TotalMilliseconds);
        var keys = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetInt64(0));
        }
        return keys;
    }

    private async Task RefreshAsync(long tenantKey, string zoneId, CancellationToken cancellationToken)
    {
        TimeZones.TryFind(zoneId, out var zone);
        var (marks, lastSeq, rolledUpZone) = await MarksAsync(tenantKey, cancellationToken);
        var days = new SortedSet<long>();
        if (rolledUpZone != zoneId)
        {
            // From scratch, a day either side so that no row of the old zone's days stays beside the new ones.
            if (await store.SessionSpanAsync(tenantKey, cancellationToken) is var (first, last))
            {
                AddDays(days, OffsetSegments.NumberOfDay(first, zone) - 1, OffsetSegments.NumberOfDay(last, zone) + 1);
            }
        }
        else
        {
            foreach (var (from, to) in marks)
            {
                AddDays(days, OffsetSegments.NumberOfDay(from, zone), OffsetSegments.NumberOfDay(to, zone));
            }
        }
        foreach (var (first, last) in Runs(days))
        {
            await RollUpAsync(tenantKey, zone, first, last, cancellationToken);
        }
        await DoneAsync(tenantKey, lastSeq, zoneId, cancellationToken);
    }

    private static void AddDays(SortedSet<long> days, long first, long last)
    {
        for (var day = first; day <= last; day++)
        {
            days.Add(day);
        }
    }

    /// <summary>Consecutive days as (first, last) runs, none longer than <see cref="DaysPerSlice"/>.</summary>
    private static IEnumerable<(long First, long Last)> Runs(SortedSet<long> days)
    {
        long? first = null, last = null;
        foreach (var day in days)
        {
            if (first is not null && (day != last + 1 || day - first >= DaysPerSlice))
            {
                yield return (first.Value, last!.Value);
                first = null;
            }
            first ??= day;
            last = day;
        }
        if (first is not null)
        {
            yield return (first.Value, last!.Value);
        }
    }

    private async Task RollUpAsync(long tenantKey, TimeZoneInfo zone, long firstDay, long lastDay, CancellationToken cancellationToken)
    {
        var version = _versions.Next();
        var fromMs = TimeZones.StartOfDay(OffsetSegments.DayFromNumber(firstDay), zone).ToUnixTimeMilliseconds();
        var toMs = TimeZones.StartOfDay(OffsetSegments.DayFromNumber(lastDay + 1), zone).ToUnixTimeMilliseconds();
        var rollup = new VisitRollup(tenantKey, ms => OffsetSegments.NumberOfDay(ms, zone));
        await foreach (var session in store.SessionsAsync(tenantKey, fromMs, toMs, cancellationToken))
        {
            rollup.Add(session);
        }
        await store.ReplaceAsync(tenantKey, firstDay, lastDay, rollup.Rows(), version, cancellationToken);
    }

    private async Task<(List<(long From, long To)> Marks, long LastSeq, string? Zone)> MarksAsync(long tenantKey, CancellationToken cancellationToken)
    {
        await using var connection = await State.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, from_ms, to_ms FROM visit_rollup_dirty WHERE tenant_key = $tenant ORDER BY seq;
            SELECT time_zone FROM visit_rollup_tenants WHERE tenant_key = $tenant;
            """;
        command.Parameters.AddWithValue("$tenant", tenantKey);
        var marks = new List<(long, long)>();
        long lastSeq = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lastSeq = reader.GetInt64(0);
            marks.Add((reader.GetInt64(1), reader.GetInt64(2)));
        }
        await reader.NextResultAsync(cancellationToken);
        var zone = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        return (marks, lastSeq, zone);
    }

    private Task DoneAsync(long tenantKey, long lastSeq, string zoneId, CancellationToken cancellationToken) => State.ExecuteAsync("""
        DELETE FROM visit_rollup_dirty WHERE tenant_key = $tenant AND seq <= $seq;
        INSERT INTO visit_rollup_tenants (tenant_key, time_zone) VALUES ($tenant, $zone)
        ON CONFLICT (tenant_key) DO UPDATE SET time_zone = excluded.time_zone;
        """, new Dictionary<string, object> { ["$tenant"] = tenantKey, ["$seq"] = lastSeq, ["$zone"] = zoneId }, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling up visits failed; it is tried again")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
