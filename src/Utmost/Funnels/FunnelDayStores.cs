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
/// ClickHouse: the funnel's latest committed generation is read, a row's latest version within it (see the ClickHouse
/// migration 0007). Counting visitors needs no versions: a visitor's day never loses its entry within a generation.
/// </summary>
public sealed class ClickHouseFunnelDayStore(ClickHouseClient clickHouse, ClickHouseMigrator schema, TimeProvider clock) : IFunnelDayStore
{
    private const string Table = ClickHouseMigrator.FunnelDaysTable;

    private static string OfFunnel(long tenantKey, string funnelId) =>
        $"tenant_key = {ClickHouseSql.Literal(tenantKey)} AND funnel_id = {ClickHouseSql.Literal(funnelId)}";

    private static string Generation(long tenantKey, string funnelId) =>
        $"(SELECT max(generation) FROM {Table} WHERE {OfFunnel(tenantKey, funnelId)} AND visitor_hash = 0)";

    /// <summary>The rows of the days in the committed generation, each version of a row.</summary>
    private static string From(long tenantKey, string funnelId, long firstDay, long lastDay) =>
        $"FROM {Table} WHERE {OfFunnel(tenantKey, funnelId)} AND generation = {Generation(tenantKey, funnelId)} " +
        $"AND day >= {ClickHouseSql.Literal(firstDay)} AND day <= {ClickHouseSql.Literal(lastDay)} AND visitor_hash != 0";

    public async Task<long> EnteredAsync(long tenantKey, string funnelId, long firstDay, long lastDay, CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync($"SELECT uniqExact(visitor_hash) AS n {From(tenantKey, funnelId, firstDay, lastDay)}", cancellationToken);
        return rows[0].GetProperty("n").GetInt64();
    }

    /// <summary>
    /// All on the server: each visitor's furthest day (the latest of those, its latest version), then per step the count
    /// and the two middle values (the upper one of the seconds and of their negatives), which give the median as
    /// <see cref="FunnelCalculator.Median"/> rounds it.
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
        var rows = await clickHouse.QueryAsync($"""
            SELECT {columns} FROM (
                SELECT visitor_hash, max(level) AS L, argMax(seconds, (level, day, version)) AS S
                {From(tenantKey, funnelId, firstDay, lastDay)} AND level >= 2 GROUP BY visitor_hash
            )
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
        var hashes = string.Join(", ", visitors.Select(v => v.ToString(CultureInfo.InvariantCulture)).DefaultIfEmpty("0"));
        var rows = new List<FunnelDayRow>();
        await foreach (var row in LatestAsync($"{From(tenantKey, funnelId, firstDay, lastDay)} AND visitor_hash IN ({hashes})", cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Each row's latest version among those <paramref name="from"/> selects.</summary>
    private async IAsyncEnumerable<FunnelDayRow> LatestAsync(string from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Aliases unlike the columns: ClickHouse would read an alias named level into the WHERE.
        var sql = $"SELECT day AS d, visitor_hash AS v, argMax(level, version) AS l, argMax(seconds, version) AS s {from} GROUP BY day, visitor_hash";
        await foreach (var row in clickHouse.QueryTabSeparatedAsync(sql, cancellationToken))
        {
            yield return new FunnelDayRow(long.Parse(row["d"]!, CultureInfo.InvariantCulture), ulong.Parse(row["v"]!, CultureInfo.InvariantCulture),
                int.Parse(row["l"]!, CultureInfo.InvariantCulture), FunnelDaySeconds.Parse(row["s"]!.Trim('[', ']')));
        }
    }

    public async Task UpdateAsync(long tenantKey, string funnelId, IReadOnlyList<FunnelDayRow> rows, long version, CancellationToken cancellationToken)
    {
        var current = await clickHouse.QueryAsync($"SELECT max(generation) AS g FROM {Table} WHERE {OfFunnel(tenantKey, funnelId)} AND visitor_hash = 0",
            cancellationToken);
        await InsertAsync(tenantKey, funnelId, current[0].GetProperty("g").GetInt64(), version, rows, cancellationToken);
    }

    public Task<long> StartBuildAsync(long tenantKey, string funnelId, long version, CancellationToken cancellationToken) => Task.FromResult(version);

    public Task AddBuiltAsync(long tenantKey, string funnelId, long generation, IReadOnlyList<FunnelDayRow> rows, CancellationToken cancellationToken) =>
        InsertAsync(tenantKey, funnelId, generation, generation, rows, cancellationToken);

    public async Task CommitBuildAsync(long tenantKey, string funnelId, long generation, CancellationToken cancellationToken)
    {
        // Visitor 0 on the day of the build (retention drops old months, and the commit with them otherwise).
        var today = clock.GetUtcNow().ToUnixTimeSeconds() / 86_400;
        await InsertAsync(tenantKey, funnelId, generation, generation, [new FunnelDayRow(today, 0, 0, [])], cancellationToken);
        // Older generations are never read again.
        await DeleteAsync($"{OfFunnel(tenantKey, funnelId)} AND generation < {ClickHouseSql.Literal(generation)}", cancellationToken);
    }

    public Task DropAsync(long tenantKey, string funnelId, CancellationToken cancellationToken) => DeleteAsync(OfFunnel(tenantKey, funnelId), cancellationToken);

    /// <summary>A mutation on every shard table (a Distributed table takes none), done by the servers in the background.</summary>
    private async Task DeleteAsync(string condition, CancellationToken cancellationToken)
    {
        foreach (var (node, table) in schema.PartitionedTables.Where(t => t.Table is Table or $"{Table}_local"))
        {
            await node.ExecuteAsync($"ALTER TABLE {table} DELETE WHERE {condition}", cancellationToken);
        }
    }

    private async Task InsertAsync(long tenantKey, string funnelId, long generation, long version, IReadOnlyList<FunnelDayRow> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        using var body = new JsonEachRow();
        foreach (var row in rows)
        {
            body.Add(writer =>
            {
                writer.WriteNumber("tenant_key", tenantKey);
                writer.WriteString("funnel_id", funnelId);
                writer.WriteNumber("generation", generation);
                writer.WriteNumber("day", row.Day);
                writer.WriteNumber("visitor_hash", row.Visitor);
                writer.WriteNumber("version", version);
                writer.WriteNumber("level", row.Level);
                writer.WriteStartArray("seconds");
                foreach (var second in row.Seconds)
                {
                    writer.WriteNumberValue(second);
                }
                writer.WriteEndArray();
            });
        }
        await clickHouse.InsertAsync(Table, body.Written, cancellationToken);
    }
}
