using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Utmost.Core.Query;
using Utmost.Sessions;
using Utmost.Storage.ClickHouse;

namespace Utmost.Query;

/// <summary>Where the visit rollup lives: beside the sessions it is made from.</summary>
public interface IVisitRollupStore
{
    /// <summary>The tenant's stored sessions that began in [<paramref name="fromMs"/>, <paramref name="toMs"/>), in no order.</summary>
    IAsyncEnumerable<RollupSession> SessionsAsync(long tenantKey, long fromMs, long toMs, CancellationToken cancellationToken);

    /// <summary>When the tenant's first and last stored sessions began; null without any.</summary>
    Task<(long FirstMs, long LastMs)?> SessionSpanAsync(long tenantKey, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="rows"/> the tenant's whole rollup of the days [<paramref name="firstDay"/>, <paramref name="lastDay"/>].</summary>
    /// <param name="version">Rises with every call: where versions decide (ClickHouse), the latest rollup of a day wins.</param>
    Task ReplaceAsync(long tenantKey, long firstDay, long lastDay, IReadOnlyList<VisitRollupRow> rows, long version, CancellationToken cancellationToken);
}

/// <summary>What the rollup reads of a session, in this order on both engines.</summary>
internal static class RollupSessionColumns
{
    public const string List = "visitor_id, started_at, ended_at, channel, source, medium, campaign, revenue_currency, page_views, events, " +
        "conversions, leads, revenue_micros, orders";
}

/// <summary>The embedded engine: the rollup in sessions.db, next to the sessions.</summary>
public sealed class SqliteVisitRollupStore(SessionsDatabase sessions) : IVisitRollupStore
{
    public async IAsyncEnumerable<RollupSession> SessionsAsync(long tenantKey, long fromMs, long toMs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await sessions.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RollupSessionColumns.List} FROM sessions WHERE tenant_key = $tenant AND started_at >= $from AND started_at < $to";
        command.Parameters.AddWithValue("$tenant", tenantKey);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            yield return new RollupSession(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), Text(4), Text(5), Text(6),
                Text(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13));
        }
    }

    public async Task<(long FirstMs, long LastMs)?> SessionSpanAsync(long tenantKey, CancellationToken cancellationToken)
    {
        await using var connection = await sessions.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MIN(started_at), MAX(started_at) FROM sessions WHERE tenant_key = $tenant";
        command.Parameters.AddWithValue("$tenant", tenantKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0) ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    public async Task ReplaceAsync(long tenantKey, long firstDay, long lastDay, IReadOnlyList<VisitRollupRow> rows, long version,
        CancellationToken cancellationToken)
    {
        await using var connection = await sessions.Database.OpenAsync(cancellationToken);
        await sessions.Database.WriteGate.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using (var delete = connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM visit_rollup WHERE tenant_key = $tenant AND day >= $first AND day <= $last";
                delete.Parameters.AddWithValue("$tenant", tenantKey);
                delete.Parameters.AddWithValue("$first", firstDay);
                delete.Parameters.AddWithValue("$last", lastDay);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            string[] names =
            [
                "tenant_key", "day", "channel", "source", "medium", "campaign", "revenue_currency", "visits", "page_views", "events", "bounces",
                "duration_ms", "converted", "conversions", "leads", "revenue_micros", "orders", "visitor_hashes", "visitor_registers",
            ];
            insert.CommandText = $"INSERT INTO visit_rollup ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(n => "$" + n))})";
            var parameters = names.ToDictionary(n => n, n => insert.Parameters.Add(new SqliteParameter { ParameterName = "$" + n }));
            foreach (var row in rows)
            {
                object?[] values =
                [
                    row.TenantKey, row.Day, row.Channel, row.Source, row.Medium, row.Campaign, row.RevenueCurrency, row.Visits, row.PageViews,
                    row.Events, row.Bounces, row.DurationMs, row.Converted, row.Conversions, row.Leads, row.RevenueMicros, row.Orders,
                    row.VisitorHashes, row.VisitorRegisters,
                ];
                for (var i = 0; i < names.Length; i++)
                {
                    parameters[names[i]].Value = values[i] ?? DBNull.Value;
                }
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            sessions.Database.WriteGate.Release();
        }
    }
}

/// <summary>
/// ClickHouse: a day is rolled up again by writing all its rows with a higher version, and a row of no visits
/// that carries the version even when the day has no visits left (see the ClickHouse migration 0006).
/// </summary>
public sealed class ClickHouseVisitRollupStore(ClickHouseClient clickHouse) : IVisitRollupStore
{
    private const string Table = ClickHouseMigrator.VisitRollupTable;

    public async IAsyncEnumerable<RollupSession> SessionsAsync(long tenantKey, long fromMs, long toMs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT {RollupSessionColumns.List} FROM {ClickHouseMigrator.SessionsTable} FINAL
            WHERE tenant_key = {ClickHouseSql.Literal(tenantKey)} AND started_at >= {ClickHouseSql.Literal(fromMs)}
              AND started_at < {ClickHouseSql.Literal(toMs)} AND is_deleted = 0
            """;
        await foreach (var row in clickHouse.QueryTabSeparatedAsync(sql, cancellationToken))
        {
            long Number(string column) => long.Parse(row[column]!, CultureInfo.InvariantCulture);
            yield return new RollupSession(row["visitor_id"]!, Number("started_at"), Number("ended_at"), row["channel"]!, row["source"], row["medium"],
                row["campaign"], row["revenue_currency"], Number("page_views"), Number("events"), Number("conversions"), Number("leads"),
                Number("revenue_micros"), Number("orders"));
        }
    }

    public async Task<(long FirstMs, long LastMs)?> SessionSpanAsync(long tenantKey, CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync($"""
            SELECT count() AS n, min(started_at) AS first, max(started_at) AS last FROM {ClickHouseMigrator.SessionsTable}
            WHERE tenant_key = {ClickHouseSql.Literal(tenantKey)}
            """, cancellationToken);
        var row = rows[0];
        return row.GetProperty("n").GetInt64() == 0 ? null : (row.GetProperty("first").GetInt64(), row.GetProperty("last").GetInt64());
    }

    public async Task ReplaceAsync(long tenantKey, long firstDay, long lastDay, IReadOnlyList<VisitRollupRow> rows, long version,
        CancellationToken cancellationToken)
    {
        using var body = new JsonEachRow();
        void Write(VisitRollupRow row, string combination) => body.Add(writer =>
        {
            writer.WriteNumber("tenant_key", row.TenantKey);
            writer.WriteNumber("day", row.Day);
            writer.WriteString("combination", combination);
            writer.WriteNumber("version", version);
            writer.WriteString("channel", row.Channel);
            foreach (var (name, value) in new[] { ("source", row.Source), ("medium", row.Medium), ("campaign", row.Campaign), ("revenue_currency", row.RevenueCurrency) })
            {
                if (value is null)
                {
                    writer.WriteNull(name);
                }
                else
                {
                    writer.WriteString(name, value);
                }
            }
            foreach (var (name, value) in new[]
            {
                ("visits", row.Visits), ("page_views", row.PageViews), ("events", row.Events), ("bounces", row.Bounces), ("duration_ms", row.DurationMs),
                ("converted", row.Converted), ("conversions", row.Conversions), ("leads", row.Leads), ("revenue_micros", row.RevenueMicros),
                ("orders", row.Orders),
            })
            {
                writer.WriteNumber(name, value);
            }
            writer.WriteStartArray("visitor_hashes");
            for (var i = 0; i < row.VisitorHashes.Length; i += sizeof(ulong))
            {
                writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(row.VisitorHashes.AsSpan(i)));
            }
            writer.WriteEndArray();
            writer.WriteStartArray("visitor_registers");
            foreach (var register in row.VisitorRegisters)
            {
                writer.WriteNumberValue(register);
            }
            writer.WriteEndArray();
        });
        for (var day = firstDay; day <= lastDay; day++)
        {
            Write(new VisitRollupRow(tenantKey, day, "", null, null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, [], []), "");
        }
        foreach (var row in rows)
        {
            Write(row, row.Combination);
        }
        await clickHouse.InsertAsync(Table, body.Written, cancellationToken);
    }
}
