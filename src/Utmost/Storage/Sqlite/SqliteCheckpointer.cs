namespace Utmost.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database file on its own connection and thread, so the ingestion
/// writer never stalls on a checkpoint (it otherwise runs one inside the commit that crosses the threshold).
/// PASSIVE checkpoints never block writers or readers; a writer-side limit remains as a backstop.
/// </summary>
public sealed partial class SqliteCheckpointer(SqliteDatabase database, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = await database.OpenAsync(stoppingToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                await command.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.CheckpointFailed(logger, e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "A WAL checkpoint failed; the next one retries")]
        public static partial void CheckpointFailed(ILogger logger, Exception exception);
    }
}
