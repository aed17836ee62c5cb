namespace Utmost.Storage.Sqlite;

/// <summary>
/// The embedded event store reads events by tenant and time, by campaign, and (for journeys) by user id, an index
/// that costs only events that carry one. There is no index by visitor: every tracker event has one, and the index
/// cost a third of ingestion's throughput (bench/); the session builder rarely needs to read events back, and
/// then reads a time range. As ClickHouse's spool the same table
/// is only appended to, shipped in rowid order and looked up by id or event_id, so those two indexes would slow
/// every insert for nothing. Runs after the migrations: creates them for the store, drops them for the spool
/// (switching back to the embedded store builds them again).
/// </summary>
public sealed class SqliteEventIndexes(SqliteDatabase database, bool forSpool) : ISchemaMigrator
{
    public string Describe => $"SQLite at {database.Path} (Utmost:DataDir)";

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = forSpool
            ? """
              DROP INDEX IF EXISTS ix_events_tenant_created; DROP INDEX IF EXISTS ix_events_tenant_campaign;
              DROP INDEX IF EXISTS ix_events_tenant_visitor; DROP INDEX IF EXISTS ix_events_tenant_user;
              """
            : """
              CREATE INDEX IF NOT EXISTS ix_events_tenant_created ON marketing_events (tenant_key, created_at);
              CREATE INDEX IF NOT EXISTS ix_events_tenant_campaign ON marketing_events (tenant_key, utm_campaign, event_type);
              DROP INDEX IF EXISTS ix_events_tenant_visitor;
              CREATE INDEX IF NOT EXISTS ix_events_tenant_user ON marketing_events (tenant_key, user_id) WHERE user_id IS NOT NULL;
              """;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return 0;
    }
}
