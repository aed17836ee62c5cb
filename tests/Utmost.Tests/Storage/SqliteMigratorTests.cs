using Microsoft.Data.Sqlite;
using Utmost.Storage.Sqlite;

using Utmost.Tests.Support;

namespace Utmost.Tests.Storage;

public sealed class SqliteMigratorTests : IDisposable
{
    private readonly TempDirectory _temp = new("migrate");

    private string DataDir => _temp.Path;

    [Fact]
    public async Task An_older_database_is_upgraded_in_place_and_keeps_its_data()
    {
        var database = new SqliteDatabase(DataDir);
        var migrator = new SqliteMigrator(database, TimeProvider.System);
        Assert.Equal(1, await migrator.MigrateAsync(CancellationToken.None, targetVersion: 1));
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO tenants (id, slug, name, site_key, created_at, updated_at)
                VALUES ('t1', 'old-shop', 'Old Shop', 'site_old', 1, 1)
                """;
            await insert.ExecuteNonQueryAsync();
        }

        var applied = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Equal(SqliteMigrator.All.Count - 1, applied);
        await using var check = await database.OpenAsync(CancellationToken.None);
        Assert.Equal("Old Shop", await Scalar(check, "SELECT name FROM tenants WHERE slug = 'old-shop'"));
        Assert.Equal("UTC", await Scalar(check, "SELECT time_zone FROM tenants WHERE slug = 'old-shop'"));
        Assert.Equal(0L, await Scalar(check, "SELECT COUNT(*) FROM marketing_events"));
        Assert.Equal((long)SqliteMigrator.All.Count, await Scalar(check, "SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal("wal", await Scalar(check, "PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Events_stored_before_rollups_existed_are_rolled_up_and_queued_deletes_kept()
    {
        var database = new SqliteDatabase(DataDir);
        var migrator = new SqliteMigrator(database, TimeProvider.System);
        await migrator.MigrateAsync(CancellationToken.None, targetVersion: 4);
        const long day = 1_748_736_000_000; // 2025-06-01
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"""
                INSERT INTO marketing_events (id, tenant_key, event_type, utm_source, utm_campaign, lead_source, created_at, received_at, deleted_at) VALUES
                    ('a', 1, 'page_view', 'google', NULL, 'direct', {day + 1_000}, 0, NULL),
                    ('b', 1, 'page_view', 'google', 'spring', 'direct', {day + 899_999}, 0, NULL),
                    ('c', 1, 'lead_created', NULL, 'spring', 'direct', {day + 900_000}, 0, {day + 5}),
                    ('d', 2, 'page_view', 'bing', NULL, 'direct', {day + 86_400_000}, 0, NULL);
                INSERT INTO spool_deletes (event_rowid) SELECT rowid FROM marketing_events WHERE id = 'c';
                """;
            await insert.ExecuteNonQueryAsync();
        }

        await migrator.MigrateAsync(CancellationToken.None);

        await using var check = await database.OpenAsync(CancellationToken.None);
        Assert.Equal($"1,{day},page_view,2 1,{day + 900_000},lead_created,1 2,{day + 86_400_000},page_view,1",
            await Rows(check, "SELECT tenant_key, bucket, event_type, events FROM rollup_counts ORDER BY tenant_key, bucket"));
        Assert.Equal($"1,{day},utm_campaign,spring,lead_created,1 1,{day},utm_campaign,spring,page_view,1 1,{day},utm_source,google,page_view,2 2,{day + 86_400_000},utm_source,bing,page_view,1",
            await Rows(check, "SELECT tenant_key, bucket, dimension, value, event_type, events FROM rollup_dimensions WHERE grain = 1440 ORDER BY 1, 2, 3, 4, 5"));
        Assert.Equal($"1,{day},utm_source,google,2 1,{day},utm_campaign,spring,1 1,{day + 900_000},utm_campaign,spring,1 2,{day + 86_400_000},utm_source,bing,1",
            await Rows(check, "SELECT tenant_key, bucket, dimension, value, SUM(events) FROM rollup_dimensions WHERE grain = 15 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3 DESC"));
        Assert.Equal($"c,lead_created,spring,{day + 5}", await Rows(check, "SELECT id, event_type, utm_campaign, deleted_at FROM spool_deleted_events"));
    }

    private static async Task<string> Rows(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(",", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return string.Join(" ", rows);
    }

    [Fact]
    public async Task The_spool_drops_the_indexes_only_the_embedded_store_reads_with_and_the_store_builds_them_again()
    {
        var database = new SqliteDatabase(DataDir);
        await new SqliteMigrator(database, TimeProvider.System).MigrateAsync(CancellationToken.None);
        const string Indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('ix_events_tenant_created', 'ix_events_tenant_campaign') ORDER BY name";
        await using var connection = await database.OpenAsync(CancellationToken.None);

        await new SqliteEventIndexes(database, forSpool: true).MigrateAsync(CancellationToken.None);
        Assert.Equal("", await Rows(connection, Indexes));

        await new SqliteEventIndexes(database, forSpool: false).MigrateAsync(CancellationToken.None);
        Assert.Equal("ix_events_tenant_campaign ix_events_tenant_created", await Rows(connection, Indexes));
    }

    [Fact]
    public async Task Migrating_twice_or_from_two_processes_at_once_applies_each_migration_once()
    {
        var database = new SqliteDatabase(DataDir);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => new SqliteMigrator(new SqliteDatabase(DataDir), TimeProvider.System).MigrateAsync(CancellationToken.None))));

        Assert.Equal(SqliteMigrator.All.Count, results.Sum());
        Assert.Equal(0, await new SqliteMigrator(database, TimeProvider.System).MigrateAsync(CancellationToken.None));
    }

    [Fact]
    public void Migrations_are_numbered_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, SqliteMigrator.All.Count), SqliteMigrator.All.Select(m => m.Version));
    }

    private static async Task<object?> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public void Dispose() => _temp.Dispose();
}
