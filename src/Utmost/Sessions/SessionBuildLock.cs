using Npgsql;

namespace Utmost.Sessions;

/// <summary>
/// The right to build sessions, with a version higher than any build's before it, and whether another instance
/// built since this one last did (then what this one keeps in memory may be out of date).
/// </summary>
public sealed class SessionBuildLease(long version, bool othersBuilt, Func<ValueTask> release) : IAsyncDisposable
{
    public long Version { get; } = version;

    public bool OthersBuilt { get; } = othersBuilt;

    public ValueTask DisposeAsync() => release();
}

/// <summary>
/// Serialises session builds. Two builds of one visitor at once could each read only their own instance's events
/// and the slower could write last; one at a time, each build reads everything stored before it began.
/// </summary>
public interface ISessionBuildLock
{
    Task<SessionBuildLease> AcquireAsync(CancellationToken cancellationToken);
}

/// <summary>One instance (the operational store is SQLite): a lock in the process, versions from its clock.</summary>
public sealed class InProcessSessionBuildLock(TimeProvider clock) : ISessionBuildLock
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _last;

    public async Task<SessionBuildLease> AcquireAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        // Microseconds, and always rising even if the clock steps back.
        _last = Math.Max(_last + 1, clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
        return new SessionBuildLease(_last, othersBuilt: false, () =>
        {
            _gate.Release();
            return ValueTask.CompletedTask;
        });
    }
}

/// <summary>
/// Several instances share PostgreSQL: a session-level advisory lock there, held on its own connection (so it is
/// released if the instance dies), versions from the database's clock (one clock for every instance), and the
/// last builder's id in session_builds.
/// </summary>
public sealed class PostgresSessionBuildLock(NpgsqlDataSource dataSource) : ISessionBuildLock
{
    // An arbitrary constant naming this lock among the advisory locks of the database.
    private const long LockId = 0x5E55_1045;
    private readonly string _builder = Guid.NewGuid().ToString("N");
    private long _last;

    public async Task<SessionBuildLease> AcquireAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        bool othersBuilt;
        try
        {
            await using (var command = new NpgsqlCommand(
                "SELECT pg_advisory_lock($1), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, (SELECT builder FROM session_builds)", connection)
            {
                Parameters = { new() { Value = LockId } },
            })
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                _last = Math.Max(_last + 1, reader.GetInt64(1));
                othersBuilt = reader.IsDBNull(2) || reader.GetString(2) != _builder;
            }
            await using var record = new NpgsqlCommand("""
                INSERT INTO session_builds (id, builder, builds) VALUES (1, $1, 1)
                ON CONFLICT (id) DO UPDATE SET builder = excluded.builder, builds = session_builds.builds + 1
                """, connection) { Parameters = { new() { Value = _builder } } };
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return new SessionBuildLease(_last, othersBuilt, async () =>
        {
            await using (connection)
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = LockId } } };
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        });
    }
}
