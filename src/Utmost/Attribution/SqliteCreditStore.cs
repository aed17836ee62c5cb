using Microsoft.Data.Sqlite;
using Utmost.Storage.Sqlite;

namespace Utmost.Attribution;

public sealed class SqliteCreditStore(SqliteDatabase database) : ICreditStore
{
    public async Task ReplaceAsync(string tenantId, long fromMs, long toMs, IReadOnlyList<ConversionCredit> credits, IReadOnlyList<SessionCount> sessionCounts,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var sql in new[]
        {
            "DELETE FROM conversion_credits WHERE tenant_id = $tenant_id AND converted_at >= $from AND converted_at <= $to",
            "DELETE FROM session_counts WHERE tenant_id = $tenant_id AND bucket >= $from AND bucket <= $to",
        })
        {
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = sql;
            delete.Parameters.AddWithValue("$tenant_id", tenantId);
            delete.Parameters.AddWithValue("$from", fromMs);
            delete.Parameters.AddWithValue("$to", toMs);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var counts = connection.CreateCommand())
        {
            counts.Transaction = transaction;
            counts.CommandText = "INSERT INTO session_counts (tenant_id, bucket, channel, sessions) VALUES ($tenant_id, $bucket, $channel, $sessions)";
            counts.Parameters.AddWithValue("$tenant_id", tenantId);
            var (bucket, channel, sessions) = (counts.Parameters.Add("$bucket", SqliteType.Integer), counts.Parameters.Add("$channel", SqliteType.Text),
                counts.Parameters.Add("$sessions", SqliteType.Integer));
            foreach (var count in sessionCounts)
            {
                (bucket.Value, channel.Value, sessions.Value) = (count.Bucket, count.Channel, count.Sessions);
                await counts.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO conversion_credits (tenant_id, model, conversion_id, channel, campaign, source, medium, converted_at, credit, value_micros, currency, returning_customer)
            VALUES ($tenant_id, $model, $conversion_id, $channel, $campaign, $source, $medium, $converted_at, $credit, $value_micros, $currency, $returning_customer)
            """;
        insert.Parameters.AddWithValue("$tenant_id", tenantId);
        string[] names = ["$model", "$conversion_id", "$channel", "$campaign", "$source", "$medium", "$converted_at", "$credit", "$value_micros", "$currency", "$returning_customer"];
        // One prepared statement for every row; each parameter takes its type from its value.
        var parameters = names.Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        foreach (var c in credits)
        {
            object[] values = [c.Model, c.ConversionId, c.Channel, c.Campaign, c.Source, c.Medium, c.ConvertedAtMs, c.Credit, c.ValueMicros, c.Currency, c.Returning ? 1 : 0];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i];
            }
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ChannelCreditTotals>> ChannelTotalsAsync(string tenantId, string model, long fromMs, long toMs,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT channel, currency, SUM(credit), SUM(value_micros), SUM(CASE WHEN returning_customer = 1 THEN credit ELSE 0 END) FROM conversion_credits
            WHERE tenant_id = $tenant_id AND model = $model AND converted_at >= $from AND converted_at <= $to
            GROUP BY channel, currency
            """;
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ChannelCreditTotals.ReadAllAsync(reader, cancellationToken);
    }

    public async Task<IReadOnlyList<(string Channel, long Sessions)>> SessionsPerChannelAsync(string tenantId, long fromMs, long toMs,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT channel, SUM(sessions) FROM session_counts WHERE tenant_id = $tenant_id AND bucket >= $from AND bucket <= $to GROUP BY channel
            """;
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await SessionCountRows.ReadAllAsync(reader, cancellationToken);
    }

    public async Task<long> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM conversion_credits WHERE tenant_id = $tenant_id";
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
