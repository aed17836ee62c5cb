using Microsoft.Data.Sqlite;
using Utmost.Core.Metrics;

namespace Utmost.Events;

/// <summary>Adds a <see cref="RollupCounter"/>'s rows to the rollup tables, inside the caller's transaction.</summary>
internal static class SqliteRollupWriter
{
    /// <summary>The embedded store's rollups (rollup_*), kept with every insert.</summary>
    public static void AddToStore(SqliteTransaction transaction, RollupCounter counter) => Add(transaction, counter, "rollup_", version: null);

    /// <summary>The spool's running totals of what it shipped (spool_rollup_*), stamped with the batch's version.</summary>
    public static void AddToSpool(SqliteTransaction transaction, RollupCounter counter, long version) =>
        Add(transaction, counter, "spool_rollup_", version);

    private static void Add(SqliteTransaction transaction, RollupCounter counter, string prefix, long? version)
    {
        var connection = transaction.Connection!;
        var versionColumn = version is null ? "" : ", version";
        var versionValue = version is null ? "" : ", $version";
        var versionUpdate = version is null ? "" : ", version = excluded.version";

        using var counts = connection.CreateCommand();
        counts.Transaction = transaction;
        counts.CommandText = $"""
            INSERT INTO {prefix}counts (tenant_key, bucket, event_type, events{versionColumn})
            VALUES ($tenant_key, $bucket, $event_type, $events{versionValue})
            ON CONFLICT DO UPDATE SET events = events + excluded.events{versionUpdate}
            """;
        var countValues = Parameters(counts, version, "$tenant_key", "$bucket", "$event_type", "$events");
        foreach (var (key, events) in counter.Counts)
        {
            Run(counts, countValues, key.TenantKey, key.Bucket, key.EventType, events);
        }

        using var dimensions = connection.CreateCommand();
        dimensions.Transaction = transaction;
        dimensions.CommandText = $"""
            INSERT INTO {prefix}dimensions (tenant_key, grain, bucket, dimension, value, event_type, events{versionColumn})
            VALUES ($tenant_key, $grain, $bucket, $dimension, $value, $event_type, $events{versionValue})
            ON CONFLICT DO UPDATE SET events = events + excluded.events{versionUpdate}
            """;
        var dimensionValues = Parameters(dimensions, version, "$tenant_key", "$grain", "$bucket", "$dimension", "$value", "$event_type", "$events");
        foreach (var (key, events) in counter.DimensionCounts)
        {
            Run(dimensions, dimensionValues, key.TenantKey, key.GrainMinutes, key.Bucket, key.Dimension, key.Value, key.EventType, events);
        }
    }

    private static SqliteParameter[] Parameters(SqliteCommand command, long? version, params string[] names)
    {
        if (version is { } v)
        {
            command.Parameters.AddWithValue("$version", v);
        }
        var parameters = names.Select(name => command.Parameters.Add(name, SqliteType.Integer)).ToArray();
        command.Prepare();
        return parameters;
    }

    private static void Run(SqliteCommand command, SqliteParameter[] parameters, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i];
        }
        command.ExecuteNonQuery();
    }
}
