using Microsoft.Data.Sqlite;
using SQLitePCL;
using Utmost.Core.Metrics;
using Utmost.Storage.Sqlite;

namespace Utmost.Events;

/// <summary>
/// Adds a <see cref="RollupCounter"/>'s rows to the rollup tables, inside the caller's transaction. It runs with
/// every insert of the embedded store, so it binds by position through SQLite's own API, as the appender does.
/// </summary>
internal static class SqliteRollupWriter
{
    /// <summary>The embedded store's rollups (rollup_*), kept with every insert.</summary>
    public static void AddToStore(SqliteConnection connection, RollupCounter counter) => Add(connection, counter, "rollup_", version: null);

    /// <summary>The spool's running totals of what it shipped (spool_rollup_*), stamped with the batch's version.</summary>
    public static void AddToSpool(SqliteConnection connection, RollupCounter counter, long version) =>
        Add(connection, counter, "spool_rollup_", version);

    private static void Add(SqliteConnection connection, RollupCounter counter, string prefix, long? version)
    {
        var db = connection.Handle!;
        // The version, when there is one, is always the last parameter.
        var versionColumn = version is null ? "" : ", version";
        var versionUpdate = version is null ? "" : ", version = excluded.version";
        using (var counts = SqliteNative.Prepare(db, $"""
            INSERT INTO {prefix}counts (tenant_key, bucket, event_type, events{versionColumn})
            VALUES (?1, ?2, ?3, ?4{(version is null ? "" : ", ?5")})
            ON CONFLICT DO UPDATE SET events = events + excluded.events{versionUpdate}
            """))
        {
            foreach (var (key, events) in counter.Counts)
            {
                raw.sqlite3_bind_int64(counts, 1, key.TenantKey);
                raw.sqlite3_bind_int64(counts, 2, key.Bucket);
                raw.sqlite3_bind_text(counts, 3, key.EventType);
                raw.sqlite3_bind_int64(counts, 4, events);
                Run(db, counts, version, 5);
            }
        }
        using var dimensions = SqliteNative.Prepare(db, $"""
            INSERT INTO {prefix}dimensions (tenant_key, grain, bucket, dimension, value, event_type, events{versionColumn})
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7{(version is null ? "" : ", ?8")})
            ON CONFLICT DO UPDATE SET events = events + excluded.events{versionUpdate}
            """);
        foreach (var (key, events) in counter.DimensionCounts)
        {
            raw.sqlite3_bind_int64(dimensions, 1, key.TenantKey);
            raw.sqlite3_bind_int(dimensions, 2, key.GrainMinutes);
            raw.sqlite3_bind_int64(dimensions, 3, key.Bucket);
            raw.sqlite3_bind_text(dimensions, 4, key.Dimension);
            raw.sqlite3_bind_text(dimensions, 5, key.Value);
            raw.sqlite3_bind_text(dimensions, 6, key.EventType);
            raw.sqlite3_bind_int64(dimensions, 7, events);
            Run(db, dimensions, version, 8);
        }
    }

    private static void Run(sqlite3 db, sqlite3_stmt statement, long? version, int versionIndex)
    {
        if (version is { } v)
        {
            raw.sqlite3_bind_int64(statement, versionIndex, v);
        }
        SqliteNative.Execute(db, statement);
    }
}
