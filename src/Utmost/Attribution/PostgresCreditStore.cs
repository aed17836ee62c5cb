using Npgsql;
using NpgsqlTypes;

namespace Utmost.Attribution;

public sealed class PostgresCreditStore(NpgsqlDataSource dataSource) : ICreditStore
{
    public async Task ReplaceAsync(string tenantId, long fromMs, long toMs, IReadOnlyList<ConversionCredit> credits, IReadOnlyList<SessionCount> sessionCounts,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var sql in new[]
        {
            "DELETE FROM conversion_credits WHERE tenant_id = @tenant_id AND converted_at >= @from AND converted_at <= @to",
            "DELETE FROM session_counts WHERE tenant_id = @tenant_id AND bucket >= @from AND bucket <= @to",
        })
        {
            await using var delete = new NpgsqlCommand(sql, connection, transaction);
            delete.Parameters.AddWithValue("tenant_id", tenantId);
            delete.Parameters.AddWithValue("from", fromMs);
            delete.Parameters.AddWithValue("to", toMs);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var counts = await connection.BeginBinaryImportAsync(
            "COPY session_counts (tenant_id, bucket, channel, sessions) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var count in sessionCounts)
            {
                await counts.StartRowAsync(cancellationToken);
                await counts.WriteAsync(tenantId, NpgsqlDbType.Text, cancellationToken);
                await counts.WriteAsync(count.Bucket, NpgsqlDbType.Bigint, cancellationToken);
                await counts.WriteAsync(count.Channel, NpgsqlDbType.Text, cancellationToken);
                await counts.WriteAsync(count.Sessions, NpgsqlDbType.Bigint, cancellationToken);
            }
            await counts.CompleteAsync(cancellationToken);
        }
        // COPY: a recomputation writes a row per conversion, model and touch.
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY conversion_credits (tenant_id, model, conversion_id, channel, campaign, source, medium, converted_at, credit, value_micros, currency, returning_customer)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var c in credits)
            {
                await copy.StartRowAsync(cancellationToken);
                foreach (var text in new[] { tenantId, c.Model, c.ConversionId, c.Channel, c.Campaign, c.Source, c.Medium })
                {
                    await copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken);
                }
                await copy.WriteAsync(c.ConvertedAtMs, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(c.Credit, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(c.ValueMicros, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(c.Currency, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(c.Returning, NpgsqlDbType.Boolean, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ChannelCreditTotals>> ChannelTotalsAsync(string tenantId, string model, long fromMs, long toMs,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT channel, currency, SUM(credit), SUM(value_micros)::bigint, SUM(CASE WHEN returning_customer THEN credit ELSE 0 END) FROM conversion_credits
            WHERE tenant_id = @tenant_id AND model = @model AND converted_at >= @from AND converted_at <= @to
            GROUP BY channel, currency
            """);
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.AddWithValue("model", model);
        command.Parameters.AddWithValue("from", fromMs);
        command.Parameters.AddWithValue("to", toMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ChannelCreditTotals.ReadAllAsync(reader, cancellationToken);
    }

    public async Task<IReadOnlyList<(string Channel, long Sessions)>> SessionsPerChannelAsync(string tenantId, long fromMs, long toMs,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT channel, SUM(sessions)::bigint FROM session_counts WHERE tenant_id = @tenant_id AND bucket >= @from AND bucket <= @to GROUP BY channel
            """);
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.AddWithValue("from", fromMs);
        command.Parameters.AddWithValue("to", toMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await SessionCountRows.ReadAllAsync(reader, cancellationToken);
    }

    public async Task<long> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT COUNT(*) FROM conversion_credits WHERE tenant_id = @tenant_id");
        command.Parameters.AddWithValue("tenant_id", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
