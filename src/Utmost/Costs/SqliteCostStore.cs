using System.Globalization;
using Utmost.Core.Costs;
using Utmost.Storage.Sqlite;

namespace Utmost.Costs;

public sealed class SqliteCostStore(SqliteDatabase database) : ICostStore
{
    public async Task UpsertAsync(string tenantId, IReadOnlyList<CostRow> rows, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO daily_costs (tenant_id, day, campaign, source, medium, cost_micros, clicks, impressions, currency, updated_at)
            VALUES ($tenant_id, $day, $campaign, $source, $medium, $cost_micros, $clicks, $impressions, $currency, $updated_at)
            ON CONFLICT (tenant_id, day, campaign, source, medium) DO UPDATE SET
                cost_micros = excluded.cost_micros, clicks = excluded.clicks, impressions = excluded.impressions,
                currency = excluded.currency, updated_at = excluded.updated_at
            """;
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$tenant_id", tenantId);
            command.Parameters.AddWithValue("$day", row.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$campaign", row.Campaign ?? "");
            command.Parameters.AddWithValue("$source", row.Source ?? "");
            command.Parameters.AddWithValue("$medium", row.Medium ?? "");
            command.Parameters.AddWithValue("$cost_micros", row.CostMicros);
            command.Parameters.AddWithValue("$clicks", (object?)row.Clicks ?? DBNull.Value);
            command.Parameters.AddWithValue("$impressions", (object?)row.Impressions ?? DBNull.Value);
            command.Parameters.AddWithValue("$currency", row.Currency);
            command.Parameters.AddWithValue("$updated_at", at.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CostRow>> ListAsync(string tenantId, DateOnly? from, DateOnly? to, int limit, int offset,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT day, campaign, source, medium, cost_micros, clicks, impressions, currency FROM daily_costs
            WHERE tenant_id = $tenant_id AND ($from IS NULL OR day >= $from) AND ($to IS NULL OR day <= $to)
            ORDER BY day, campaign, source, medium LIMIT $limit OFFSET $offset
            """;
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$from", (object?)from?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? DBNull.Value);
        command.Parameters.AddWithValue("$to", (object?)to?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$offset", offset);
        var rows = new List<CostRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(CostStoreRows.Read(reader, DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        return rows;
    }
}

/// <summary>What both stores share: a row read back, with '' meaning none again.</summary>
internal static class CostStoreRows
{
    public static CostRow Read(System.Data.Common.DbDataReader reader, DateOnly day) => new(
        day, Optional(reader.GetString(1)), Optional(reader.GetString(2)), Optional(reader.GetString(3)), reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetString(7));

    private static string? Optional(string value) => value.Length == 0 ? null : value;
}
