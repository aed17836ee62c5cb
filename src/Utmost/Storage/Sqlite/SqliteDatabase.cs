using Microsoft.Data.Sqlite;

namespace Utmost.Storage.Sqlite;

/// <summary>The embedded database file under the data directory, and the settings every connection gets.</summary>
public sealed class SqliteDatabase
{
    public const string FileName = "utmost.db";

    public SqliteDatabase(string dataDir, string fileName = FileName)
    {
        Directory.CreateDirectory(dataDir);
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, fileName));
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// Taken by the steady writers of this file (event ingestion, the session builder) around each write transaction.
    /// SQLite has one writer; left to its busy handler, a waiting writer sleeps ever longer and may lose the lock
    /// again and again, while this gate lets them take turns.
    /// </summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // synchronous=FULL: a commit reaches the disk before we acknowledge it, so power loss loses nothing either;
        // group commit pays for the fsync once per batch of requests.
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public SqliteConnection Open() => OpenAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Runs statements with named parameters under <see cref="WriteGate"/>.</summary>
    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken) =>
        ExecuteForEachAsync(sql, parameters.Keys.ToList(), [parameters.Values.ToArray()], cancellationToken);

    /// <summary>Runs a statement once for each row of values (for the parameters <paramref name="names"/>), in one transaction under <see cref="WriteGate"/>.</summary>
    public async Task ExecuteForEachAsync(string sql, IReadOnlyList<string> names, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await WriteGate.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            var parameters = names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
            foreach (var row in rows)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = row[i] ?? DBNull.Value;
                }
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            WriteGate.Release();
        }
    }
}
