using System.Text.Json;
using System.Text.RegularExpressions;

namespace Utmost.Storage.ClickHouse;

/// <summary>
/// Creates the database and applies the scripts under ClickHouse/Migrations, statement by statement. The scripts
/// are idempotent (IF NOT EXISTS; inserts into ReplacingMergeTree tables that collapse a repeat), so instances
/// starting at the same time may both run one without harm.
/// With a cluster, every node gets the scripts with each sharded table renamed to its local shard table
/// (<c>marketing_events_local</c>, …), and a Distributed table of the plain name over the cluster, sharded so
/// that every version of a row meets on one shard, where FINAL collapses them.
/// </summary>
public sealed partial class ClickHouseMigrator(IReadOnlyList<ClickHouseClient> nodes, string? cluster, TimeProvider clock) : ISchemaMigrator
{
    public const string EventsTable = "marketing_events";
    public const string DeletedEventsTable = "deleted_events";
    public const string RollupCountsTable = "rollup_counts";
    public const string RollupDimensionsTable = "rollup_dimensions";
    public const string SessionsTable = "sessions";
    public const string VisitRollupTable = "visit_rollup";
    public const string FunnelVisitorsTable = "funnel_visitors";

    /// <summary>The tables sharded on a cluster, with their sharding keys; all but funnel_visitors are partitioned by month.</summary>
    private static readonly (string Table, string ShardingKey)[] Sharded =
    [
        (EventsTable, "cityHash64(id)"),
        (DeletedEventsTable, "cityHash64(id)"),
        (RollupCountsTable, "cityHash64(tenant_key, bucket)"),
        (RollupDimensionsTable, "cityHash64(tenant_key, bucket)"),
        (SessionsTable, "cityHash64(tenant_key, visitor_id)"),
        (VisitRollupTable, "cityHash64(tenant_key, day)"),
        (FunnelVisitorsTable, "cityHash64(tenant_key, funnel_id, visitor_hash)"),
    ];

    /// <summary>Sharded tables of earlier migrations, whose Distributed tables go with them.</summary>
    private static readonly string[] Retired = ["funnel_days"];

    public static IReadOnlyList<MigrationScript> All { get; } = MigrationScript.For("ClickHouse");

    /// <summary>Every node with each monthly table that holds its rows (the shard tables in a cluster): where retention drops months.</summary>
    public IEnumerable<(ClickHouseClient Node, string Table)> PartitionedTables =>
        Sharded.Where(s => s.Table != FunnelVisitorsTable).SelectMany(s => ShardTables(s.Table));

    /// <summary>Every node with the table that holds <paramref name="table"/>'s rows there: where mutations and partition drops go.</summary>
    public IEnumerable<(ClickHouseClient Node, string Table)> ShardTables(string table) =>
        nodes.Select(node => (node, cluster is null ? table : LocalName(table)));

    public static string LocalName(string table) => table + "_local";

    public string Describe => $"ClickHouse at {string.Join(", ", nodes.Select(n => n.Connection.Endpoint))} (ConnectionStrings:{ClickHouseConnection.ConnectionStringName})";

    Task<int> ISchemaMigrator.MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(cancellationToken);

    /// <summary>Applies migrations up to <paramref name="targetVersion"/> (all by default) on every node; returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken, int targetVersion = int.MaxValue)
    {
        var applied = 0;
        try
        {
            foreach (var node in nodes)
            {
                applied += await MigrateNodeAsync(node, targetVersion, cancellationToken);
            }
            return applied;
        }
        catch (ClickHouseException e)
        {
            throw new InvalidOperationException($"{Describe} cannot be used: {e.Message}", e);
        }
    }

    private async Task<int> MigrateNodeAsync(ClickHouseClient node, int targetVersion, CancellationToken cancellationToken)
    {
        await node.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {node.Connection.Database}", cancellationToken, useDatabase: false);
        await node.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at UInt64)
            ENGINE = ReplacingMergeTree(applied_at) ORDER BY version
            """, cancellationToken);
        var done = (await node.QueryAsync("SELECT DISTINCT version FROM schema_migrations", cancellationToken))
            .Select(r => r.GetProperty("version").GetInt32()).ToHashSet();
        var applied = 0;
        foreach (var script in All.Where(s => s.Version <= targetVersion && !done.Contains(s.Version)))
        {
            var sql = cluster is null ? script.Sql : ShardedTableName().Replace(script.Sql, m => LocalName(m.Value));
            foreach (var statement in Statements(sql))
            {
                try
                {
                    await node.ExecuteAsync(statement, cancellationToken);
                }
                catch (ClickHouseException e) when (IsAddColumn(statement) && e.Message.Contains("already exists", StringComparison.Ordinal))
                {
                    // 18.16 has no ADD COLUMN IF NOT EXISTS; an ALTER applies whole or not at all, so this one ran before.
                }
            }
            var row = JsonSerializer.Serialize(new { version = script.Version, name = script.Name, applied_at = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            await node.InsertAsync("schema_migrations", System.Text.Encoding.UTF8.GetBytes(row + "\n"), cancellationToken);
            applied++;
        }
        if (cluster is not null)
        {
            foreach (var retired in Retired)
            {
                await node.ExecuteAsync($"DROP TABLE IF EXISTS {retired}", cancellationToken);
            }
            var localTables = (await node.QueryAsync(ClickHouseSql.Format("SELECT name FROM system.tables WHERE database = {db}",
                    new Dictionary<string, string> { ["db"] = ClickHouseSql.Literal(node.Connection.Database) }), cancellationToken))
                .Select(r => r.GetProperty("name").GetString()).ToHashSet(StringComparer.Ordinal);
            // Only over shard tables that exist (a migration short of the newest may not have made them all).
            foreach (var (table, shardingKey) in Sharded.Where(s => localTables.Contains(LocalName(s.Table))))
            {
                await node.ExecuteAsync($"""
                    CREATE TABLE IF NOT EXISTS {table} AS {LocalName(table)}
                    ENGINE = Distributed({cluster}, {node.Connection.Database}, {LocalName(table)}, {shardingKey})
                    """, cancellationToken);
                await AddMissingColumnsAsync(node, table, cancellationToken);
            }
        }
        return applied;
    }

    /// <summary>Columns added to a shard table since its Distributed table was made are added to that too.</summary>
    private static async Task AddMissingColumnsAsync(ClickHouseClient node, string table, CancellationToken cancellationToken)
    {
        async Task<List<(string Name, string Type)>> ColumnsAsync(string name) =>
            (await node.QueryAsync(ClickHouseSql.Format(
                "SELECT name, type FROM system.columns WHERE database = {db} AND table = {table}",
                new Dictionary<string, string> { ["db"] = ClickHouseSql.Literal(node.Connection.Database), ["table"] = ClickHouseSql.Literal(name) }),
                cancellationToken))
            .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("type").GetString()!)).ToList();
        var distributed = (await ColumnsAsync(table)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, type) in (await ColumnsAsync(LocalName(table))).Where(c => !distributed.Contains(c.Name)))
        {
            // Names and types come from the server's own catalogue of our tables.
            await node.ExecuteAsync($"ALTER TABLE {table} ADD COLUMN {name} {type}", cancellationToken);
        }
    }

    private static bool IsAddColumn(string statement) =>
        statement.StartsWith("ALTER TABLE", StringComparison.OrdinalIgnoreCase) && statement.Contains("ADD COLUMN", StringComparison.OrdinalIgnoreCase);

    /// <summary>A script's statements: ClickHouse's HTTP interface takes one at a time. Statements end with ';' at a line's end.</summary>
    public static IEnumerable<string> Statements(string script) =>
        script.Split('\n')
            .Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            .Aggregate(new List<string> { "" }, (statements, line) =>
            {
                statements[^1] += line + "\n";
                if (line.TrimEnd().EndsWith(';'))
                {
                    statements.Add("");
                }
                return statements;
            })
            .Select(statement => statement.Trim().TrimEnd(';').Trim())
            .Where(statement => statement.Length > 0);

    [GeneratedRegex(@"\b(marketing_events|deleted_events|rollup_counts|rollup_dimensions|sessions|visit_rollup|funnel_days|funnel_visitors)\b")]
    private static partial Regex ShardedTableName();
}
