using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Utmost.Core.Funnels;
using Utmost.Sessions;
using Utmost.Storage.ClickHouse;

namespace Utmost.Funnels;

/// <summary>
/// A visitor's progress from the entries of one local day (see <see cref="Core.Funnels.FunnelCalculator.Days"/>): the level,
/// and the seconds from the entry to each step after the first that was reached.
/// </summary>
public sealed record FunnelDayRow(long Day, ulong Visitor, int Level, IReadOnlyList<long> Seconds);

/// <summary>Of the visitors who entered in a period, how many reached a step after the first, and the median seconds to it (null without any).</summary>
public sealed record FunnelStepReach(long Reached, long? MedianSeconds);

/// <summary>Where funnel days live: beside the events on ClickHouse, in sessions.db on the embedded engine.</summary>
public interface IFunnelDayStore
{
    /// <summary>Visitors with an entry on the days [<paramref name="firstDay"/>, <paramref name="lastDay"/>].</summary>
    Task<long> EnteredAsync(long tenantKey, string funnelId, long firstDay, long lastDay, CancellationToken cancellationToken);

    /// <summary>
    /// For steps 2 to <paramref name="steps"/>: the visitors who got that far from an entry on those days, each as far as
    /// their days combine to (<see cref="Core.Funnels.FunnelCalculator.Combine"/>), and the median seconds to the step.
    /// </summary>
    Task<IReadOnlyList<FunnelStepReach>> FurtherAsync(long tenantKey, string funnelId, long firstDay, long lastDay, int steps,
        CancellationToken cancellationToken);

    /// <summary>The rows of these visitors on those days.</summary>
    Task<IReadOnlyList<FunnelDayRow>> RowsOfAsync(long tenantKey, string funnelId, IReadOnlyCollection<ulong> visitors, long firstDay, long lastDay,
        CancellationToken cancellationToken);

    /// <summary>Writes these rows over the same visitors' rows of the same days (a row only ever moves on: see <see cref="FunnelDays"/>).</summary>
    /// <param name="version">Rises with every write: where versions decide (ClickHouse), the latest write of a row wins.</param>
    Task UpdateAsync(long tenantKey, string funnelId, IReadOnlyList<FunnelDayRow> rows, long version, CancellationToken cancellationToken);

    /// <summary>
    /// A build from scratch: rows added in parts under the generation this returns, which <see cref="CommitBuildAsync"/> makes
    /// the funnel's (ClickHouse reads the one before until then; the embedded engine's readers wait for the build).
    /// </summary>
    Task<long> StartBuildAsync(long tenantKey, string funnelId, long version, CancellationToken cancellationToken);

    Task AddBuiltAsync(long tenantKey, string funnelId, long generation, IReadOnlyList<FunnelDayRow> rows, CancellationToken cancellationToken);

    Task CommitBuildAsync(long tenantKey, string funnelId, long generation, CancellationToken cancellationToken);

    /// <summary>Removes a deleted funnel's rows.</summary>
    Task DropAsync(long tenantKey, string funnelId, CancellationToken cancellationToken);

    /// <summary>
    /// Retention: forgets every funnel's days before <paramref name="day"/>. Later days keep their answer: a day's entries
    /// are followed forward only.
    /// </summary>
    Task DropBeforeDayAsync(long day, CancellationToken cancellationToken);
}

internal static class FunnelDaySeconds
{
    public static string Text(IReadOnlyList<long> seconds) => string.Join(",", seconds.Select(s => s.ToString(CultureInfo.InvariantCulture)));

    public static long[] Parse(string text) => text.Length == 0 ? [] : text.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}

/// <summary>The embedded engine: funnel days in sessions.db, a visitor's day one row.</summary>
public sealed class SqliteFunnelDayStore(SessionsDatabase sessions) : IFunnelDayStore
{
    private const string Days = "tenant_key = $tenant AND funnel_id = $funnel AND day >= $first AND day <= $last";

    public async Task<long> EnteredAsync(long tenantKey, string funnelId, long firstDay, long lastDay, CancellationToken cancellationToken)
    {
        await using var connection = await sessions.Database.OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT COUNT(DISTINCT visitor_hash) FROM funnel_days WHERE {Days}", tenantKey, funnelId, firstDay, lastDay);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<FunnelStepReach>> FurtherAsync(long tenantKey, string funnelId, long firstDay, long lastDay, int steps,
        CancellationToken cancellationToken)
    {
        var visitors = new Dictionary<ulong, List<FunnelDay>>();
        await using (var connection = await sessions.Database.OpenAsync(cancellationToken))
        await using (var command = Command(connection, $"SELECT day, visitor_hash, level, seconds FROM funnel_days WHERE {Days} AND level >= 2",
            tenantKey, funnelId, firstDay, lastDay))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = Row(reader);
                if (!visitors.TryGetValue(row.Visitor, out var days))
                {
                    visitors[row.Visitor] = days = [];
                }
                days.Add(new FunnelDay(row.Day, new FunnelProgress(row.Level, [0, .. row.Seconds])));
            }
        }
        var progress = visitors.Values.Select(FunnelCalculator.Combine).ToList();
        return Enumerable.Range(2, steps - 1).Select(step =>
        {
            var seconds = progress.Where(p => p.Level >= step).Select(p => p.SecondsFromStart[step - 1]).ToList();
            return new FunnelStepReach(seconds.Count, FunnelCalculator.Median(seconds));
        }).ToList();
    }

    public async Task<IReadOnlyList<FunnelDayRow>> RowsOfAsync(long tenantKey, string funnelId, IReadOnlyCollection<ulong> visitors, long firstDay,
        long lastDay, CancellationToken cancellationToken)
    {
        await using var connection = await sessions.Database.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT day, visitor_hash, level, seconds FROM funnel_days WHERE {Days} AND visitor_hash IN (SELECT value FROM json_each($visitors))",
            tenantKey, funnelId, firstDay, lastDay);
        command.Parameters.AddWithValue("$visitors", JsonSerializer.Serialize(visitors.Select(v => (long)v)));
        var rows = new List<FunnelDayRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Row(reader));
        }
        return rows;
    }

    public Task UpdateAsync(long tenantKey, string funnelId, IReadOnlyList<FunnelDayRow> rows, long version, CancellationToken cancellationToken) =>
        sessions.Database.ExecuteForEachAsync("""
            INSERT OR REPLACE INTO funnel_days (tenant_key, funnel_id, day, visitor_hash, level, seconds)
            VALUES ($tenant, $funnel, $day, $visitor, $level, $seconds)
            """, ["$tenant", "$funnel", "$day", "$visitor", "$level", "$seconds"],
            rows.Select(r => new object?[] { tenantKey, funnelId, r.Day, (long)r.Visitor, r.Level, FunnelDaySeconds.Text(r.Seconds) }), cancellationToken);

    public async Task<long> StartBuildAsync(long tenantKey, string funnelId, long version, CancellationToken cancellationToken)
    {
        await DropAsync(tenantKey, funnelId, cancellationToken);
        return version;
    }

    public Task AddBuiltAsync(long tenantKey, string funnelId, long generation, IReadOnlyList<FunnelDayRow> rows, CancellationToken cancellationToken) =>
        UpdateAsync(tenantKey, funnelId, rows, generation, cancellationToken);

    public Task CommitBuildAsync(long tenantKey, string funnelId, long generation, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DropAsync(long tenantKey, string funnelId, CancellationToken cancellationToken) =>
        sessions.Database.ExecuteAsync("DELETE FROM funnel_days WHERE tenant_key = $tenant AND funnel_id = $funnel",
            new Dictionary<string, object> { ["$tenant"] = tenantKey, ["$funnel"] = funnelId }, cancellationToken);

    public Task DropBeforeDayAsync(long day, CancellationToken cancellationToken) =>
        sessions.Database.ExecuteAsync("DELETE FROM funnel_days WHERE day < $day", new Dictionary<string, object> { ["$day"] = day }, cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, string sql, long tenantKey, string funnelId, long firstDay, long lastDay)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$tenant", tenantKey);
        command.Parameters.AddWithValue("$funnel", funnelId);
        command.Parameters.AddWithValue("$first", firstDay);
        command.Parameters.AddWithValue("$last", lastDay);
        return command;
    }

    private static FunnelDayRow Row(SqliteDataReader reader) =>
        new(reader.GetInt64(0), (ulong)reader.GetInt64(1), reader.GetInt32(2), FunnelDaySeconds.Parse(reader.GetString(3)));
}

/// <summary>
/// ClickHouse: one row per funnel and visitor holding all their days (ascending, each with its level and seconds), in the
/// funnel's latest committed generation (see the ClickHouse migration 0008). A visitor moved on is written again as a
/// −1 copy of the row read and a +1 row of a new version; readers leave out the +1 rows whose version has a −1 twin
/// until a merge collapses the pair. Counting visitors needs neither: the copy and its row cancel out in a sum of signs.
/// </summary>
public sealed class ClickHouseFunnelDayStore(ClickHouseClient clickHouse, ClickHouseMigrator schema) : IFunnelDayStore
{
    private const string Table = ClickHouseMigrator.FunnelVisitorsTable;

    private const int VisitorsPerWrite = 50_000;

    private static string OfFunnel(long tenantKey, string funnelId) =>
        $"tenant_key = {ClickHouseSql.Literal(tenantKey)} AND funnel_id = {ClickHouseSql.Literal(funnelId)}";

    private static string CommittedGeneration(long tenantKey, string funnelId) =>
        $"(SELECT max(generation) FROM {Table} WHERE {OfFunnel(tenantKey, funnelId)} AND visitor_hash = 0)";

    /// <summary>The rows of the generation's visitors (<paramref name="andVisitors"/> narrows them) that are current: +1 rows without a −1 twin.</summary>
    private static string Current(long tenantKey, string funnelId, string generation, string andVisitors = "")
    {
        var of = $"{OfFunnel(tenantKey, funnelId)} AND generation = {generation} AND visitor_hash != 0{andVisitors}";
        return $"{of} AND sign = 1 AND (visitor_hash, version) GLOBAL NOT IN (SELECT visitor_hash, version FROM {Table} WHERE {of} AND sign = -1)";
    }

    /// <summary>A lambda's test that its day <c>d</c> lies in the period.</summary>
    private static string InPeriod(long firstDay, long lastDay) => $"d >= {ClickHouseSql.Literal(firstDay)} AND d <= {ClickHouseSql.Literal(lastDay)}";

    public async Task<long> EnteredAsync(long tenantKey, string funnelId, long firstDay, long lastDay, CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync($"""
            SELECT sum(sign) AS n FROM {Table}
            WHERE {OfFunnel(tenantKey, funnelId)} AND generation = {CommittedGeneration(tenantKey, funnelId)} AND visitor_hash != 0
              AND arrayExists(d -> {InPeriod(firstDay, lastDay)}, days)
            """, cancellationToken);
        return rows[0].GetProperty("n").GetInt64();
    }

    /// <summary>
    /// All on the server: each visitor's level over the period's days (L) and the seconds of the latest of those days at
    /// that level (S), then per step the count and the two middle values (the upper one of the seconds and of their
    /// negatives), which give the median as <see cref="FunnelCalculator.Median"/> rounds it.
    /// </summary>
    public async Task<IReadOnlyList<FunnelStepReach>> FurtherAsync(long tenantKey, string funnelId, long firstDay, long lastDay, int steps,
        CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", Enumerable.Range(2, steps - 1).Select(step =>
        {
            var (n, at) = (step.ToString(CultureInfo.InvariantCulture), (step - 1).ToString(CultureInfo.InvariantCulture));
            return $"countIf(L >= {n}) AS r{n}, quantileExactIf(0.5)(toInt64(S[{at}]), L >= {n}) AS hi{n}, " +
                $"-quantileExactIf(0.5)(-toInt64(S[{at}]), L >= {n}) AS lo{n}";
        }));
        var inPeriod = InPeriod(firstDay, lastDay);
        // 18.16 has no arrayMax. The names L, S and at_level differ from the columns', which ClickHouse would read them as.
        var rows = await clickHouse.QueryAsync($"""
            SELECT {columns} FROM (
                SELECT arrayReduce('max', arrayFilter((l, d) -> {inPeriod}, levels, days)) AS L,
                       arrayFilter((s, l, d) -> {inPeriod} AND l = L, seconds, levels, days) AS at_level,
                       at_level[length(at_level)] AS S
                FROM {Table}
                WHERE {Current(tenantKey, funnelId, CommittedGeneration(tenantKey, funnelId))} AND max_level >= 2 AND arrayExists(d -> {inPeriod}, days)
            ) WHERE L >= 2
            """, cancellationToken);
        return Enumerable.Range(2, steps - 1).Select(step =>
        {
            var reached = rows[0].GetProperty($"r{step}").GetInt64();
            var (low, high) = (rows[0].GetProperty($"lo{step}").GetInt64(), rows[0].GetProperty($"hi{step}").GetInt64());
            return new FunnelStepReach(reached, reached == 0 ? null : FunnelCalculator.Median([low, high]));
        }).ToList();
    }

    public async Task<IReadOnlyList<FunnelDayRow>> RowsOfAsync(long tenantKey, string funnelId, IReadOnlyCollection<ulong> visitors, long firstDay,
        long lastDay, CancellationToken cancellationToken)
    {
        var current = await CurrentRowsAsync(tenantKey, funnelId, CommittedGeneration(tenantKey, funnelId), visitors, cancellationToken);
        return current.Values.SelectMany(v => v.Days).Where(d => d.Day >= firstDay && d.Day <= lastDay).ToList();
    }

    /// <summary>A visitor's current row: its version and its days.</summary>
    private sealed record VisitorRow(ulong Visitor, long Version, IReadOnlyList<FunnelDayRow> Days);

    private async Task<Dictionary<ulong, VisitorRow>> CurrentRowsAsync(long tenantKey, string funnelId, string generation,
        IReadOnlyCollection<ulong> visitors, CancellationToken cancellationToken)
    {
        var hashes = string.Join(", ", visitors.Select(v => v.ToString(CultureInfo.InvariantCulture)).DefaultIfEmpty("0"));
        var rows = await clickHouse.QueryAsync(
            $"SELECT visitor_hash AS v, version AS ver, days AS ds, levels AS ls, seconds AS ss FROM {Table} " +
            $"WHERE {Current(tenantKey, funnelId, generation, $" AND visitor_hash IN ({hashes})")}", cancellationToken);
        var current = new Dictionary<ulong, VisitorRow>();
        foreach (var row in rows)
        {
            var visitor = row.GetProperty("v").GetUInt64();
            var (days, levels, seconds) = (row.GetProperty("ds").EnumerateArray().ToList(), row.GetProperty("ls").EnumerateArray().ToList(),
                row.GetProperty("ss").EnumerateArray().ToList());
            var version = row.GetProperty("ver").GetInt64();
            // Two current rows of a visitor only if writers raced: the later version is the one built on.
            if (!current.TryGetValue(visitor, out var other) || other.Version < version)
            {
                current[visitor] = new VisitorRow(visitor, version, days.Select((day, i) => new FunnelDayRow(day.GetInt64(), visitor, levels[i].GetInt32(),
                    seconds[i].EnumerateArray().Select(s => s.GetInt64()).ToArray())).ToList());
            }
        }
        return current;
    }

    public async Task UpdateAsync(long tenantKey, string funnelId, IReadOnlyList<FunnelDayRow> rows, long version, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var committed = await clickHouse.QueryAsync($"SELECT {CommittedGeneration(tenantKey, funnelId)} AS g", cancellationToken);
        var generation = committed[0].GetProperty("g").GetInt64();
        var moved = rows.GroupBy(r => r.Visitor).ToDictionary(g => g.Key, g => g.ToList());
        var current = await CurrentRowsAsync(tenantKey, funnelId, ClickHouseSql.Literal(generation), moved.Keys, cancellationToken);
        var written = new List<(VisitorRow Row, int Sign)>();
        foreach (var (visitor, days) in moved)
        {
            var merged = days.ToDictionary(d => d.Day);
            if (current.TryGetValue(visitor, out var before))
            {
                written.Add((before, -1));
                foreach (var day in before.Days)
                {
                    merged.TryAdd(day.Day, day);
                }
            }
            written.Add((new VisitorRow(visitor, version, merged.Values.OrderBy(d => d.Day).ToList()), 1));
        }
        await InsertAsync(tenantKey, funnelId, generation, written, cancellationToken);
    }

    public Task<long> StartBuildAsync(long tenantKey, string funnelId, long version, CancellationToken cancellationToken) => Task.FromResult(version);

    /// <summary>Writes whole visitors (a visitor's days split over two writes would be two rows).</summary>
    public async Task AddBuiltAsync(long tenantKey, string funnelId, long generation, IReadOnlyList<FunnelDayRow> rows, CancellationToken cancellationToken)
    {
        var visitors = rows.GroupBy(r => r.Visitor).Select(g => (new VisitorRow(g.Key, generation, g.OrderBy(d => d.Day).ToList()), 1));
        foreach (var part in visitors.Chunk(VisitorsPerWrite))
        {
            await InsertAsync(tenantKey, funnelId, generation, part, cancellationToken);
        }
    }

    public async Task CommitBuildAsync(long tenantKey, string funnelId, long generation, CancellationToken cancellationToken)
    {
        await InsertAsync(tenantKey, funnelId, generation, [(new VisitorRow(0, generation, []), 1)], cancellationToken);
        await DropGenerationsAsync(tenantKey, funnelId, below: generation, cancellationToken);
    }

    public Task DropAsync(long tenantKey, string funnelId, CancellationToken cancellationToken) =>
        DropGenerationsAsync(tenantKey, funnelId, below: long.MaxValue, cancellationToken);

    /// <summary>Drops the partitions of the funnel's generations below <paramref name="below"/> on every shard table.</summary>
    private async Task DropGenerationsAsync(long tenantKey, string funnelId, long below, CancellationToken cancellationToken)
    {
        var generations = await clickHouse.QueryAsync(
            $"SELECT DISTINCT generation AS g FROM {Table} WHERE {OfFunnel(tenantKey, funnelId)} AND generation < {ClickHouseSql.Literal(below)}",
            cancellationToken);
        foreach (var generation in generations.Select(g => g.GetProperty("g").GetInt64()))
        {
            foreach (var (node, table) in schema.ShardTables(Table))
            {
                await node.ExecuteAsync($"ALTER TABLE {table} DROP PARTITION {ClickHouseSql.Literal(generation)}", cancellationToken);
            }
        }
    }

    /// <summary>
    /// Takes the days before <paramref name="day"/> out of every row, on every shard table (a mutation the servers do in
    /// the background). A −1 copy and its row change alike, so they still cancel out.
    /// </summary>
    public async Task DropBeforeDayAsync(long day, CancellationToken cancellationToken)
    {
        var before = $"d < {ClickHouseSql.Literal(day)}";
        var stale = await clickHouse.QueryAsync($"SELECT count() AS n FROM {Table} WHERE arrayExists(d -> {before}, days)", cancellationToken);
        if (stale[0].GetProperty("n").GetInt64() == 0)
        {
            return;
        }
        var kept = $"NOT ({before})";
        foreach (var (node, table) in schema.ShardTables(Table))
        {
            // Every expression reads the row as it was before the update, days included.
            await node.ExecuteAsync($"""
                ALTER TABLE {table} UPDATE
                    levels = arrayFilter((l, d) -> {kept}, levels, days),
                    seconds = arrayFilter((s, d) -> {kept}, seconds, days),
                    max_level = arrayReduce('max', arrayFilter((l, d) -> {kept}, levels, days)),
                    days = arrayFilter(d -> {kept}, days)
                WHERE arrayExists(d -> {before}, days)
                """, cancellationToken);
        }
    }

    private async Task InsertAsync(long tenantKey, string funnelId, long generation, IReadOnlyCollection<(VisitorRow Row, int Sign)> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        using var body = new JsonEachRow();
        foreach (var (row, sign) in rows)
        {
            body.Add(writer =>
            {
                writer.WriteNumber("tenant_key", tenantKey);
                writer.WriteString("funnel_id", funnelId);
                writer.WriteNumber("generation", generation);
                writer.WriteNumber("visitor_hash", row.Visitor);
                writer.WriteNumber("version", row.Version);
                writer.WriteNumber("sign", sign);
                writer.WriteNumber("max_level", row.Days.Select(d => d.Level).DefaultIfEmpty(0).Max());
                writer.WriteStartArray("days");
                foreach (var day in row.Days)
                {
                    writer.WriteNumberValue(day.Day);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("levels");
                foreach (var day in row.Days)
                {
                    writer.WriteNumberValue(day.Level);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("seconds");
                foreach (var day in row.Days)
                {
                    writer.WriteStartArray();
                    foreach (var second in day.Seconds)
                    {
                        writer.WriteNumberValue(second);
                    }
                    writer.WriteEndArray();
                }
                writer.WriteEndArray();
            });
        }
        await clickHouse.InsertAsync(Table, body.Written, cancellationToken);
    }
}
