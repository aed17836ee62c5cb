using System.Text.Json;

namespace Utmost.Storage.ClickHouse;

/// <summary>
/// Creates the database and applies the scripts under ClickHouse/Migrations. The scripts are idempotent
/// (IF NOT EXISTS), so instances starting at the same time may both run one without harm.
/// </summary>
public sealed class ClickHouseMigrator(ClickHouseClient client, TimeProvider clock) : ISchemaMigrator
{
    public static IReadOnlyList<MigrationScript> All { get; } = MigrationScript.For("ClickHouse");

    public string Describe => $"ClickHouse at {client.Connection.Endpoint} (ConnectionStrings:{ClickHouseConnection.ConnectionStringName})";

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {client.Connection.Database}", cancellationToken, useDatabase: false);
            await client.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at UInt64)
                ENGINE = ReplacingMergeTree(applied_at) ORDER BY version
                """, cancellationToken);
            var done = (await client.QueryAsync("SELECT DISTINCT version FROM schema_migrations", cancellationToken))
                .Select(r => r.GetProperty("version").GetInt32()).ToHashSet();
            var applied = 0;
            foreach (var script in All.Where(s => !done.Contains(s.Version)))
            {
                await client.ExecuteAsync(script.Sql, cancellationToken);
                var row = JsonSerializer.Serialize(new { version = script.Version, name = script.Name, applied_at = clock.GetUtcNow().ToUnixTimeMilliseconds() });
                await client.InsertAsync("schema_migrations", System.Text.Encoding.UTF8.GetBytes(row + "\n"), cancellationToken);
                applied++;
            }
            return applied;
        }
        catch (ClickHouseException e)
        {
            throw new InvalidOperationException($"{Describe} cannot be used: {e.Message}", e);
        }
    }
}
