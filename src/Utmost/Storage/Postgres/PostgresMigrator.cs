using Npgsql;

namespace Utmost.Storage.Postgres;

/// <summary>
/// Applies the numbered scripts under Postgres/Migrations that the database has not seen, each in its own
/// transaction under an advisory lock, so several instances starting at once apply each script exactly once.
/// </summary>
public sealed class PostgresMigrator(NpgsqlDataSource dataSource, TimeProvider clock) : ISchemaMigrator
{
    // Any constant works; it only has to be the same for every Utmost instance.
    private const long LockId = 0x5574_6D6F_7374;

    public static IReadOnlyList<MigrationScript> All { get; } = MigrationScript.For("Postgres");

    public string Describe => "PostgreSQL (ConnectionStrings:Utmost)";

    Task<int> ISchemaMigrator.MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(cancellationToken);

    public async Task<int> MigrateAsync(CancellationToken cancellationToken, int targetVersion = int.MaxValue)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER     NOT NULL PRIMARY KEY,
                name       TEXT        NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL
            )
            """, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var applied = 0;
        foreach (var script in All.Where(m => m.Version <= targetVersion))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@id)", connection, transaction))
            {
                lockCommand.Parameters.AddWithValue("id", LockId);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var check = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations WHERE version = @version", connection, transaction))
            {
                check.Parameters.AddWithValue("version", script.Version);
                if ((long)(await check.ExecuteScalarAsync(cancellationToken))! > 0)
                {
                    continue;
                }
            }
            await using (var run = new NpgsqlCommand(script.Sql, connection, transaction))
            {
                await run.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)", connection, transaction))
            {
                record.Parameters.AddWithValue("version", script.Version);
                record.Parameters.AddWithValue("name", script.Name);
                record.Parameters.AddWithValue("at", clock.GetUtcNow());
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            applied++;
        }
        return applied;
    }
}
