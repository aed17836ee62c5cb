using Npgsql;
using Utmost.Core.Costs;

namespace Utmost.Costs;

public sealed class PostgresCostStore(NpgsqlDataSource dataSource) : ICostStore
{
    public async Task UpsertAsync(string tenantId, IReadOnlyList<CostRow> rows, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var row in rows)
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO daily_costs (tenant_id, day, campaign, source, medium, cost_micros, clicks, impressions, currency, updated_at)
                VALUES (@tenant_id, @day, @campaign, @source, @medium, @cost_micros, @clicks, @impressions, @currency, @updated_at)
                ON CONFLICT (tenant_id, day, campaign, source, medium) DO UPDATE SET
                    cost_micros = excluded.cost_micros, clicks = excluded.clicks, impressions = excluded.impressions,
                    currency = excluded.currency, updated_at = excluded.updated_at
                """, connection, transaction);
            command.Parameters.AddWithValue("tenant_id", tenantId);
            command.Parameters.AddWithValue("day", row.Date);
            command.Parameters.AddWithValue("campaign", row.Campaign ?? "");
            command.Parameters.AddWithValue("source", row.Source ?? "");
            command.Parameters.AddWithValue("medium", row.Medium ?? "");
            command.Parameters.AddWithValue("cost_micros", row.CostMicros);
            command.Parameters.AddWithValue("clicks", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)row.Clicks ?? DBNull.Value);
            command.Parameters.AddWithValue("impressions", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)row.Impressions ?? DBNull.Value);
            command.Parameters.AddWithValue("currency", row.Currency);
            command.Parameters.AddWithValue("updated_at", at);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CostRow>> ListAsync(string tenantId, DateOnly? from, DateOnly? to, int limit, int offset,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT day, campaign, source, medium, cost_micros, clicks, impressions, currency FROM daily_costs
            WHERE tenant_id = @tenant_id AND (@from::date IS NULL OR day >= @from) AND (@to::date IS NULL OR day <= @to)
            ORDER BY day, campaign COLLATE "C", source COLLATE "C", medium COLLATE "C" LIMIT @limit OFFSET @offset
            """);
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.AddWithValue("from", NpgsqlTypes.NpgsqlDbType.Date, (object?)from ?? DBNull.Value);
        command.Parameters.AddWithValue("to", NpgsqlTypes.NpgsqlDbType.Date, (object?)to ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("offset", offset);
        var rows = new List<CostRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(CostStoreRows.Read(reader, reader.GetFieldValue<DateOnly>(0)));
        }
        return rows;
    }
}
