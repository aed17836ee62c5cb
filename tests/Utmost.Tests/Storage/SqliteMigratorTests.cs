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
