using System.Text.Json;

namespace Utmost.Storage.ClickHouse;

/// <summary>
/// Creates the database and applies the scripts under ClickHouse/Migrations. The scripts are idempotent
/// (IF NOT EXISTS), so instances starting at the same time may both run one without harm.
/// With a cluster, every node gets the scripts with <c>marketing_events</c> as its local shard table, and a
/// Distributed table of that name over the cluster, sharded by event id (so all versions of an event meet on
/// one shard and FINAL collapses them).
/// </summary>
public sealed class ClickHouseMigrator(IReadOnlyList<ClickHouseClient> nodes, string? cluster, TimeProvider clock) : ISchemaMigrator
{
    public const string EventsTable = "marketing_events";
    public const string LocalEventsTable = "marketing_events_local";

    public static IReadOnlyList<MigrationScript> All { get; } = MigrationScript.For("ClickHouse");

    /// <summary>Every node, with the table that holds its rows (the shard table in a cluster).</summary>
    public IEnumerable<(ClickHouseClient Node, string Table)> EventTables =>
        nodes.Select(node => (node, cluster is null ? EventsTable : LocalEventsTable));

    public string Describe => $"ClickHouse at {string.Join(", ", nodes.Select(n => n.Connection.Endpoint))} (ConnectionStrings:{ClickHouseConnection.ConnectionStringName})";

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        try
        {
            foreach (var node in nodes)
            {
                applied += await MigrateNodeAsync(node, cancellationToken);
            }
            return applied;
        }
        catch (ClickHouseException e)
        {
            throw new InvalidOperationException($"{Describe} cannot be used: {e.Message}", e);
        }
    }

    private async Task<int> MigrateNodeAsync(ClickHouseClient node, CancellationToken cancellationToken)
    {
        await node.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {node.Connection.Database}", cancellationToken, useDatabase: false);
        await node.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at UInt64)
            ENGINE = ReplacingMergeTree(applied_at) ORDER BY version
            """, cancellationToken);
        var done = (await node.QueryAsync("SELECT DISTINCT version FROM schema_migrations", cancellationToken))
            .Select(r => r.GetProperty("version").GetInt32()).ToHashSet();
        var applied = 0;
        foreach (var script in All.Where(s => !done.Contains(s.Version)))
        {
            await node.ExecuteAsync(cluster is null ? script.Sql : script.Sql.Replace(
                $"CREATE TABLE IF NOT EXISTS {EventsTable} (", $"CREATE TABLE IF NOT EXISTS {LocalEventsTable} (", StringComparison.Ordinal), cancellationToken);
            var row = JsonSerializer.Serialize(new { version = script.Version, name = script.Name, applied_at = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            await node.InsertAsync("schema_migrations", System.Text.Encoding.UTF8.GetBytes(row + "\n"), cancellationToken);
            applied++;
        }
        if (cluster is not null)
        {
            await node.ExecuteAsync($"""
                CREATE TABLE IF NOT EXISTS {EventsTable} AS {LocalEventsTable}
                ENGINE = Distributed({cluster}, {node.Connection.Database}, {LocalEventsTable}, cityHash64(id))
                """, cancellationToken);
        }
        return applied;
    }
}
