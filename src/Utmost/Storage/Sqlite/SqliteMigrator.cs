using Microsoft.Data.Sqlite;

namespace Utmost.Storage.Sqlite;

/// <summary>
/// Applies the numbered SQL files under Migrations/ that a database has not seen yet, each in its own
/// transaction, so an existing database is upgraded in place. Safe to run from several processes at once.
/// </summary>
/// <param name="scripts">The folder of scripts: <c>Sqlite</c> (utmost.db) or <c>SqliteSessions</c> (sessions.db).</param>
public sealed class SqliteMigrator(SqliteDatabase database, TimeProvider clock, string scripts = "Sqlite") : ISchemaMigrator
{
    public static IReadOnlyList<MigrationScript> All { get; } = MigrationScript.For("Sqlite");

    private readonly IReadOnlyList<MigrationScript> _scripts = scripts == "Sqlite" ? All : MigrationScript.For(scripts);

    public string Describe => $"SQLite at {database.Path} (Utmost:DataDir)";

    Task<int> ISchemaMigrator.MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(cancellationToken);

    /// <summary>Applies migrations up to <paramref name="targetVersion"/> (all by default); returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken, int targetVersion = int.MaxValue)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await Execute(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        await Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER NOT NULL PRIMARY KEY,
                name       TEXT    NOT NULL,
                applied_at INTEGER NOT NULL
            );
            """, cancellationToken);
        var applied = 0;
        foreach (var migration in _scripts.Where(m => m.Version <= targetVersion))
        {
            // BEGIN IMMEDIATE takes the write lock first, so two processes cannot both apply one migration.
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var check = connection.CreateCommand();
            check.Transaction = transaction;
            check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = $version";
            check.Parameters.AddWithValue("$version", migration.Version);
            if ((long)(await check.ExecuteScalarAsync(cancellationToken))! > 0)
            {
                continue;
            }
            await Execute(connection, transaction, migration.Sql, cancellationToken);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $at)";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$name", migration.Name);
            record.Parameters.AddWithValue("$at", clock.GetUtcNow().ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            applied++;
        }
        return applied;
    }

    private static async Task Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
