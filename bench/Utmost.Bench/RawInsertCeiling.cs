using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Utmost.Core.Events;
using Utmost.Events;
using Utmost.Storage.Sqlite;

namespace Utmost.Bench;

/// <summary>What the raw insert measured.</summary>
internal sealed record RawInsertResult(long Rows, TimeSpan Elapsed, long RowsInTable)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}

/// <summary>
/// The machine's SQLite insert ceiling for our rows: the server's own schema (via its migrator) in a fresh file,
/// the server's own prepared insert (SqliteEventAppender), every row in ONE transaction, WAL and synchronous=FULL.
/// No HTTP, JSON parsing or queueing: what ingestion could approach at best.
/// </summary>
internal static class RawInsertCeiling
{
    public static async Task<RawInsertResult> RunAsync(string dir, IReadOnlyList<SampleEvent> corpus, int rows, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(dir);
        await new SqliteMigrator(database, TimeProvider.System).MigrateAsync(cancellationToken);

        // Every row is built before the clock starts, as the server has its events in memory by commit time.
        var now = DateTimeOffset.UtcNow;
        var nowMs = now.ToUnixTimeMilliseconds();
        var events = new MarketingEvent[rows];
        for (var i = 0; i < rows; i++)
        {
            events[i] = corpus[i % corpus.Count].ToStoredEvent(Guid.CreateVersion7(now.AddTicks(i)).ToString(), nowMs + i / 1000);
        }

        using var appender = new SqliteEventAppender(database, keepRollups: true);
        var stopwatch = Stopwatch.StartNew();
        await appender.AppendAsync(events, cancellationToken);
        stopwatch.Stop();

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM marketing_events";
        var inTable = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        return new RawInsertResult(rows, stopwatch.Elapsed, inTable);
    }
}
